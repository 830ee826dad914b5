/// The pending acknowledgements an operator handed upstream while it was full or
/// blocked, to complete together once it can take more.
@usableFromInline
struct UpstreamWaiters {
    @usableFromInline var waiting: [PendingAck] = []

    @inlinable init() {}

    /// A new pending acknowledgement, completed by the next `resume()`.
    @inlinable mutating func pending() -> Ack {
        let ack = PendingAck()
        waiting.append(ack)
        return .pending(ack)
    }

    @inlinable mutating func resume() {
        if waiting.isEmpty { return }
        let resumed = waiting
        waiting = []
        for ack in resumed { ack.complete() }
    }

    @inlinable var isEmpty: Bool { waiting.isEmpty }
}
