import CCurl
import Foundation

/// The loop on the dedicated curl thread. Everything here is confined to that thread once
/// `run()` starts; the only shared state is ``CurlShared``.
final class CurlWorker: @unchecked Sendable {
    private let shared: CurlShared
    private let multi: UnsafeMutableRawPointer
    private let maxInFlight: Int
    private let connectTimeoutMilliseconds: Int
    private let totalTimeoutMilliseconds: Int

    /// Requests waiting for a free slot, oldest first from `backlogHead`.
    private var backlog: [CurlPending] = []
    private var backlogHead = 0
    private var slots: [CurlTransferSlot] = []
    private var idleSlots: [CurlTransferSlot] = []
    private var inFlight = 0

    init(shared: CurlShared, maxInFlight: Int, connectTimeoutMilliseconds: Int, totalTimeoutMilliseconds: Int) {
        self.shared = shared
        multi = shared.multi.raw
        self.maxInFlight = maxInFlight
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
    }

    func run() {
        while true {
            compactBacklog()
            if shared.takePending(into: &backlog) { break }
            startWaitingTransfers()
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            let finished = completeFinishedTransfers()
            // Finished transfers freed slots: start waiting requests now rather than after a poll.
            if finished > 0, backlogHead < backlog.count { continue }
            // libcurl shortens this to its own next timeout; a wakeup ends it at once.
            if curl_multi_poll(multi, nil, 0, 1000, nil) != CURLM_OK {
                // Only on resource exhaustion; don't spin while it lasts.
                usleep(1000)
            }
        }
        shutDown()
        shared.signalExit()
    }

    private func compactBacklog() {
        if backlogHead == backlog.count {
            backlog.removeAll(keepingCapacity: true)
            backlogHead = 0
        } else if backlogHead > 1024, backlogHead * 2 > backlog.count {
            backlog.removeFirst(backlogHead)
            backlogHead = 0
        }
    }

    private func startWaitingTransfers() {
        while inFlight < maxInFlight, backlogHead < backlog.count {
            let item = backlog[backlogHead]
            backlogHead += 1
            start(item)
        }
    }

    private func start(_ item: CurlPending) {
        guard let slot = idleSlots.popLast() ?? makeSlot() else {
            item.finished(.transportError(
                code: Int32(bitPattern: CURLE_OUT_OF_MEMORY.rawValue),
                message: "libcurl could not create an easy handle (out of memory)",
                requestSent: false
            ))
            return
        }
        let configured = slot.configure(
            item.request,
            connectTimeoutMilliseconds: connectTimeoutMilliseconds,
            totalTimeoutMilliseconds: totalTimeoutMilliseconds
        )
        guard configured == CURLE_OK else {
            idleSlots.append(slot)
            item.finished(.transportError(
                code: Int32(bitPattern: configured.rawValue),
                message: "request to \(item.request.url) rejected by libcurl: \(String(cString: curl_easy_strerror(configured)))",
                requestSent: false
            ))
            return
        }
        let added = curl_multi_add_handle(multi, slot.handle)
        guard added == CURLM_OK else {
            _ = slot.finish(code: CURLE_OUT_OF_MEMORY)
            idleSlots.append(slot)
            item.finished(.transportError(
                code: Int32(bitPattern: CURLE_OUT_OF_MEMORY.rawValue),
                message: "libcurl refused the transfer: \(String(cString: curl_multi_strerror(added)))",
                requestSent: false
            ))
            return
        }
        slot.attach(item.finished)
        inFlight += 1
    }

    private func makeSlot() -> CurlTransferSlot? {
        guard let slot = CurlTransferSlot() else { return nil }
        slots.append(slot)
        return slot
    }

    private func completeFinishedTransfers() -> Int {
        var finished = 0
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            // Read before removing the handle: removal invalidates the message.
            let code = message.pointee.data.result
            var context: UnsafeMutableRawPointer?
            _ = herald_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &context)
            _ = curl_multi_remove_handle(multi, easy)
            // Every handle this worker adds carries its slot, so this cannot fail.
            guard let context else { continue }
            let slot = Unmanaged<CurlTransferSlot>.fromOpaque(context).takeUnretainedValue()
            let (tell, result, connects) = slot.finish(code: code)
            inFlight -= 1
            idleSlots.append(slot)
            finished += 1
            shared.completed.add(1, ordering: .relaxed)
            if connects > 0 { shared.connectionsOpened.add(connects, ordering: .relaxed) }
            tell?(result)
        }
        return finished
    }

    private func shutDown() {
        for slot in slots where slot.isBusy {
            _ = curl_multi_remove_handle(multi, slot.handle)
            let (finished, sent) = slot.abandon()
            finished?(CurlShared.shutDownResult(requestSent: sent))
        }
        inFlight = 0
        for item in backlog[backlogHead...] {
            item.finished(CurlShared.shutDownResult(requestSent: false))
        }
        backlog = []
        backlogHead = 0
        for slot in slots { slot.close() }
        slots = []
        idleSlots = []
        curl_multi_cleanup(multi)
    }
}
