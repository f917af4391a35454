import Foundation
import HeraldControl
import HeraldCore
import Testing

@Suite("Group and broadcast request lines")
struct GroupRequestCodingTests {
    private func error(_ text: String) -> AdminError? { AdminLines.error(text) }

    private func same<P, R>(_ call: AdminCall<P, R>) throws {
        let (id, parameters) = try AdminLines.roundTrip(call, id: .number(3))
        #expect(id == .number(3))
        #expect(parameters == call.parameters, "\(call.command.name)")
    }

    @Test("every group command survives a round trip through its line")
    func roundTrips() throws {
        try same(Admin.groupCreate(GroupRef(org: "acme", name: "VIP customers")))
        try same(Admin.groupList(GroupListRequest()))
        try same(Admin.groupList(GroupListRequest(org: "acme")))
        try same(Admin.groupShow(GroupShowRequest(org: "acme", name: "vip", limit: 20)))
        try same(Admin.groupAdd(GroupMembers(org: "acme", name: "vip", numbers: ["(612) 555-0123"], externalIds: ["crm-7", "crm-8"])))
        try same(Admin.groupRemove(GroupMembers(org: "acme", name: "vip", externalIds: ["crm-7"])))
        try same(Admin.groupDelete(GroupRef(org: "acme", name: "vip")))
        try same(Admin.broadcastShow(BroadcastShowRequest(message: 5120, state: .rejected, limit: 500)))
        try same(Admin.broadcastShow(BroadcastShowRequest(message: 5120)))
    }

    @Test("membership changes need admin rights; reading groups and broadcasts does not")
    func privilegeFollowsTheVerb() {
        let members = GroupMembers(org: "acme", name: "vip", numbers: ["6125550123"])
        #expect(Admin.groupCreate.changesState(GroupRef(org: "a", name: "b")))
        #expect(Admin.groupAdd.changesState(members))
        #expect(Admin.groupRemove.changesState(members))
        #expect(Admin.groupDelete.changesState(GroupRef(org: "a", name: "b")))
        #expect(!Admin.groupList.changesState(GroupListRequest()))
        #expect(!Admin.groupShow.changesState(GroupShowRequest(org: "a", name: "b", limit: 1)))
        #expect(!Admin.broadcastShow.changesState(BroadcastShowRequest(message: 1)))
    }

    @Test("bad group requests are refused with what to send instead")
    func refusals() {
        #expect(error(#"{"command":"group_add","params":{"org":"acme","name":"vip"}}"#)?.message.contains("needs \"numbers\" or \"external_ids\"") == true)
        #expect(error(#"{"command":"group_create","params":{"org":"acme"}}"#)?.message == "group_create needs \"name\"")
        #expect(error(#"{"command":"group_show","params":{"org":"acme","name":"vip","limit":0}}"#)?.code == .badRequest)
        #expect(error(#"{"command":"group_list","params":{"name":"vip"}}"#)?.message.contains("does not take name") == true)
        #expect(error(#"{"command":"broadcast_show"}"#)?.message == "broadcast_show needs \"message\"")
        let many = (0...GroupMembers.maxPerRequest).map { "\"c\($0)\"" }.joined(separator: ",")
        #expect(error(#"{"command":"group_add","params":{"org":"a","name":"b","external_ids":[\#(many)]}}"#)?.message.contains("at most") == true)
    }

    @Test("a large member list is cut into lines the socket accepts, nobody lost or doubled")
    func pieces() throws {
        let numbers = (0..<100_000).map { String(format: "(612) %03d-%04d", 200 + $0 / 10_000, $0 % 10_000) }
        let ids = (0..<3_000).map { "crm-\($0)-\(String(repeating: "\"", count: 8))" }
        let pieces = try GroupMembers.pieces(org: "acme", name: "everyone", numbers: numbers, externalIds: ids, remove: false)
        #expect(pieces.count > 1)
        for piece in pieces {
            #expect(try Admin.groupAdd(piece).line(id: .number(Int64.max)).count <= AdminProtocol.maxLineBytes)
            #expect(piece.count <= GroupMembers.maxPerRequest)
        }
        #expect(pieces.flatMap(\.numbers) == numbers)
        #expect(pieces.flatMap(\.externalIds) == ids)
    }
}
