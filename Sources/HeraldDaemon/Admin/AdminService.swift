import Foundation
import HeraldControl
import HeraldCore
import HeraldStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The admin socket (docs/admin.md): NDJSON over a Unix socket, one request → one response, plus
/// `watch`. A bad line gets an error response and the connection lives on; idle clients are
/// closed, and connections beyond the cap are told so and closed.
final class AdminService: Service {
    struct Settings: Sendable {
        var path: String
        var maxConnections: Int
        var idleTimeout: Duration
        var adminGroup: String?
        /// How often `watch` looks for new events.
        var watchInterval: Duration = .milliseconds(200)
    }

    private let settings: Settings
    private let controller: AdminController
    private let handlers: AdminHandlers
    private let authority: AdminAuthority
    private let logger: Logger
    private let connections = Atomic<Int>(0)
    private let onBound: @Sendable () async -> Void
    private let metrics: HeraldMetrics

    init(settings: Settings, controller: AdminController, logger: Logger, metrics: HeraldMetrics,
         onBound: @escaping @Sendable () async -> Void = {}) {
        self.onBound = onBound
        self.metrics = metrics
        self.settings = settings
        self.controller = controller
        handlers = controller.handlers
        authority = AdminAuthority(adminGroupName: settings.adminGroup)
        self.logger = logger
    }

    func run() async throws {
        let idle = TimeAmount.nanoseconds(settings.idleTimeout.wholeNanoseconds)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .bind(unixDomainSocketPath: settings.path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle), name: "idle")
                    try channel.pipeline.syncOperations.addHandler(IdleCloser(), name: "idle-closer")
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AdminLineDecoder()))
                    return try NIOAsyncChannel<AdminFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        // Group members may read; the directory (RuntimeDirectory, 0750) keeps everyone else out.
        chmod(settings.path, 0o660)
        logger.info("admin socket listening on \(settings.path)")
        await onBound()
        do {
            try await withGracefulShutdownHandler {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                        // The listener closed: end open connections (watchers never end on their own).
                        group.cancelAll()
                    }
                }
            } onGracefulShutdown: {
                server.channel.close(promise: nil)
            }
        } catch where Task.isShuttingDownGracefully || Task.isCancelled {
            // Closing the listener for shutdown may surface as an error of the accept loop.
        }
        unlink(settings.path)
        logger.info("admin socket closed")
    }

    private func serve(_ connection: NIOAsyncChannel<AdminFrame, ByteBuffer>) async {
        let count = connections.wrappingAdd(1, ordering: .relaxed).newValue
        defer { connections.wrappingSubtract(1, ordering: .relaxed) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                if count > settings.maxConnections {
                    try await outbound.write(ByteBuffer(bytes: AdminController.refusal(id: nil, AdminError(
                        .tooManyConnections, "heraldd serves at most \(settings.maxConnections) admin connections at once; try again"))))
                    return
                }
                guard let peer = await AdminAuthority.peer(of: connection.channel) else {
                    logger.warning("admin connection without peer credentials closed")
                    return
                }
                let access = authority.access(for: peer)
                let idleCloser = try? await connection.channel.pipeline.handler(type: IdleCloser.self).get()
                try await outbound.write(ByteBuffer(bytes: AdminJSON.line(AdminHello(version: AdminController.version, access: access, peer: peer))))
                var frames = inbound.makeAsyncIterator()
                // Dies with the connection: a client that hangs up mid-upload leaves nothing behind.
                var call = AdminHandlers.Call(peer: peer, upload: ContactsUpload())
                while let frame = try await frames.next() {
                    let envelope: AdminEnvelope
                    switch frame {
                    case .oversized:
                        metrics.admin(command: "unknown", outcome: AdminError.Code.lineTooLong.rawValue)
                        try await outbound.write(ByteBuffer(bytes: AdminController.refusal(id: nil, AdminError(
                            .lineTooLong, "a request line may hold at most \(AdminProtocol.maxLineBytes) bytes; it was skipped"))))
                        continue
                    case let .line(bytes):
                        if bytes.readableBytes == 0 { continue }
                        switch AdminEnvelope.decode(bytes.readableBytesView) {
                        case let .success(decoded): envelope = decoded
                        case let .failure(refusal):
                            metrics.admin(command: "unknown", outcome: refusal.error.code.rawValue)
                            try await outbound.write(ByteBuffer(bytes: AdminController.refusal(id: refusal.id, refusal.error)))
                            continue
                        }
                    }
                    let request: AdminHandlers.Prepared
                    do throws(AdminError) {
                        request = try handlers.prepare(envelope)
                    } catch {
                        metrics.admin(command: envelope.command, outcome: error.code.rawValue)
                        try await outbound.write(ByteBuffer(bytes: AdminController.refusal(id: envelope.id, error)))
                        continue
                    }
                    if request.changesState, access != .change {
                        metrics.admin(command: request.command, outcome: AdminError.Code.permissionDenied.rawValue)
                        try await outbound.write(ByteBuffer(bytes: AdminController.refusal(
                            id: envelope.id, authority.denial(request.command, peer: peer))))
                        continue
                    }
                    idleCloser?.requestStarted()
                    let answer = await controller.answer(request, id: envelope.id, call: &call)
                    let watching = request.command == Admin.watch.name && answer.refused == nil
                    // A watcher is silent by design: its idle timer goes before the request stops
                    // counting as in progress, or a timer due meanwhile would close it.
                    if watching { try await connection.channel.pipeline.removeHandler(name: "idle").get() }
                    idleCloser?.requestFinished()
                    metrics.admin(command: request.command, outcome: answer.refused?.rawValue ?? "ok")
                    try await outbound.write(ByteBuffer(bytes: answer.line))
                    if watching {
                        try await watch(outbound: outbound, channel: connection.channel)
                        return
                    }
                }
            }
        } catch {
            logger.debug("admin connection ended: \(error)")
        }
    }

    /// Streams events and inbound replies from now on until the client hangs up (NIO closes the
    /// channel at end of stream) or heraldd stops. Lines a watcher sends after `watch` are ignored.
    private func watch(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, channel: any Channel) async throws {
        var position = try await controller.database.feedPosition()
        let closed = ClosedFlag()
        channel.closeFuture.whenComplete { _ in closed.set() }
        while !closed.isSet {
            let events = try await controller.database.events(after: position.event, limit: 500)
            let replies = try await controller.database.inbound(after: position.inbound, limit: 500)
            var lines: [UInt8] = []
            for event in events {
                lines += try AdminJSON.line(WatchLine(event: AdminController.record(event)))
                position.event = event.id
            }
            for reply in replies {
                lines += try AdminJSON.line(WatchLine(inbound: InboundRecord(
                    id: reply.id, org: reply.orgID, from: reply.from, to: reply.to, body: reply.body,
                    receivedAt: reply.receivedAt, keyword: reply.keyword)))
                position.inbound = reply.id
            }
            if !lines.isEmpty { try await outbound.write(ByteBuffer(bytes: lines)) }
            if events.count < 500 && replies.count < 500 { try await Task.sleep(for: settings.watchInterval) }
        }
    }
}

private final class ClosedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// Closes a connection that sent nothing for the idle timeout (removed once it `watch`es), but
/// never while its request is being carried out: a backup of a large file takes its time.
final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let requestsInProgress = Atomic<Int>(0)

    func requestStarted() { requestsInProgress.add(1, ordering: .relaxed) }
    func requestFinished() { requestsInProgress.subtract(1, ordering: .relaxed) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            if requestsInProgress.load(ordering: .relaxed) == 0 { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
