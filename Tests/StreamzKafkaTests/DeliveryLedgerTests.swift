import Streamz
import Testing
@testable import StreamzKafka

@Suite struct DeliveryLedgerTests {
    final class Recorder: OriginTracker {}

    @Test func tokensCloseInAnyOrderExactlyOnce() {
        let tracker = Recorder()
        var ledger = DeliveryLedger()
        let tokens = (0..<10_000).map { ledger.open(Origin(tracker: tracker, slot: $0)) }
        #expect(Set(tokens).count == tokens.count)
        // Close in a scrambled order: every token yields its own origin once.
        var order = tokens
        order.shuffle()
        for token in order {
            let closed = ledger.close(token)
            #expect(closed??.slot == tokens.firstIndex(of: token))
            #expect(ledger.close(token) == nil, "a second report for a token is ignored")
        }
        #expect(ledger.isEmpty)
        let next = ledger.open(nil)
        #expect(next > tokens.max()!, "tokens keep increasing after the ledger empties")
        #expect(ledger.close(next) != nil)
        #expect(ledger.close(-5) == nil && ledger.close(1 << 40) == nil)
    }
}
