import Foundation
import HeraldControl
import Testing

@Suite("Group and broadcast request lines")
struct GroupRequestCodingTests {
    private func decode(_ text: String) -> Result<AdminRequest, AdminRequest.Refusal> {
        AdminRequest.decode(Array(text.utf8))
    }

    private func error(_ text: String) -> AdminError? {
        if case let .failure(refusal) = decode(text) { return refusal.error }
        return nil
    }

    @Test("every group command survives a round trip through its line", arguments: [
        AdminCommand.group(.create(org: "acme", name: "VIP customers")),
        .group(.list(org: nil)),
        .group(.list(org: "acme")),
        .group(.show(org: "acme", name: "vip", limit: 20)),
        .group(.add(GroupMembers(org: "acme", name: "vip", numbers: ["(612) 555-0123"], externalIDs: ["crm-7", "crm-8"]))),
        .group(.remove(GroupMembers(org: "acme", name: "vip", externalIDs: ["crm-7"]))),
        .group(.delete(org: "acme", name: "vip")),
        .broadcastShow(BroadcastShowRequest(id: 5120, state: "rejected", limit: 500)),
        .broadcastShow(BroadcastShowRequest(id: 5120)),
    ])
    func roundTrip(command: AdminCommand) throws {
        let request = AdminRequest(id: .number(3), command)
        let line = try request.line()
        #expect(try decode(String(decoding: line.dropLast(), as: UTF8.self)).get() == request)
    }

    @Test("membership changes need admin rights; reading groups and broadcasts does not")
    func privilegeFollowsTheVerb() {
        let members = GroupMembers(org: "acme", name: "vip", numbers: ["6125550123"])
        #expect(AdminCommand.group(.create(org: "a", name: "b")).changesState)
        #expect(AdminCommand.group(.add(members)).changesState)
        #expect(AdminCommand.group(.remove(members)).changesState)
        #expect(AdminCommand.group(.delete(org: "a", name: "b")).changesState)
        #expect(!AdminCommand.group(.list(org: nil)).changesState)
        #expect(!AdminCommand.group(.show(org: "a", name: "b", limit: 1)).changesState)
        #expect(!AdminCommand.broadcastShow(BroadcastShowRequest(id: 1)).changesState)
    }

    @Test("bad group requests are refused with what to send instead")
    func refusals() {
        #expect(error(#"{"command":"group_add","org":"acme","name":"vip"}"#)?.message.contains("needs \"numbers\" or \"external_ids\"") == true)
        #expect(error(#"{"command":"group_create","org":"acme"}"#)?.message == "group_create needs \"name\"")
        #expect(error(#"{"command":"group_show","org":"acme","name":"vip","limit":0}"#)?.code == .badRequest)
        #expect(error(#"{"command":"group_list","name":"vip"}"#)?.message.contains("does not take name") == true)
        #expect(error(#"{"command":"broadcast_show"}"#)?.message == "broadcast_show needs \"message\"")
        let many = (0...GroupMembers.maxPerRequest).map { "\"c\($0)\"" }.joined(separator: ",")
        #expect(error(#"{"command":"group_add","org":"a","name":"b","external_ids":[\#(many)]}"#)?.message.contains("at most") == true)
    }

    @Test("a large member list is cut into lines the socket accepts, nobody lost or doubled")
    func pieces() throws {
        let numbers = (0..<100_000).map { String(format: "(612) %03d-%04d", 200 + $0 / 10_000, $0 % 10_000) }
        let ids = (0..<3_000).map { "crm-\($0)-\(String(repeating: "\"", count: 8))" }
        let pieces = try GroupMembers.pieces(org: "acme", name: "everyone", numbers: numbers, externalIDs: ids, remove: false)
        #expect(pieces.count > 1)
        for piece in pieces {
            #expect(try AdminRequest(id: .number(Int64.max), .group(.add(piece))).line().count <= AdminProtocol.maxLineBytes)
            #expect(piece.count <= GroupMembers.maxPerRequest)
        }
        #expect(pieces.flatMap(\.numbers) == numbers)
        #expect(pieces.flatMap(\.externalIDs) == ids)
    }
}
