import CRdKafka
import Foundation

/// The headers of a message `KafkaSource` is emitting, parsed from librdkafka's message
/// only if something reads them.
///
/// Asking librdkafka for a consumed message's headers allocates twice, even when the
/// message has none; most pipelines never read them. A record holds this box instead of
/// an array. While the record lives only inside the source's `emit` the message is
/// alive, so a read parses it then. When the emit returns, the source either reuses the
/// box (no record kept it) or calls `detach()`, which parses the headers before the
/// message is destroyed, so a kept record keeps them.
final class DeferredHeaders: @unchecked Sendable {
    // @unchecked: `message` is only set while the box is uniquely referenced (by the
    // source, between records); reads and `detach` go through `lock`.
    private let lock = NSLock()
    @exclusivity(unchecked) private var message: UnsafeMutablePointer<rd_kafka_message_t>?
    @exclusivity(unchecked) private var parsed: [KafkaHeader]?

    /// Points a box that nothing else references at the next message (or at none).
    func attach(_ message: UnsafeMutablePointer<rd_kafka_message_t>?) {
        self.message = message
        parsed = nil
    }

    var headers: [KafkaHeader] {
        lock.lock()
        defer { lock.unlock() }
        return parsedLocked()
    }

    /// Before the message is destroyed, for a box that a record still holds.
    func detach() {
        lock.lock()
        defer { lock.unlock() }
        _ = parsedLocked()
        message = nil
    }

    private func parsedLocked() -> [KafkaHeader] {
        if let parsed { return parsed }
        let headers = message.map(RDKafkaConsumer.headers(of:)) ?? []
        parsed = headers
        return headers
    }
}
