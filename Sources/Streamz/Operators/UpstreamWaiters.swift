/// The pending acknowledgements an operator handed upstream while it was full or
/// blocked, to complete together once it can take more.
///
/// A class, not a struct: completing an acknowledgement runs upstream code that may
/// re-enter the operator and ask for a new one while `resume` is still running. On a
/// struct stored in the operator that would be an overlapping mutation.
@usableFromInline
final class UpstreamWaiters {
    @usableFromInline var waiting: [PendingAck] = []

    @inlinable init() {}

    /// A new pending acknowledgement, completed by the next `resume()`.
    @inlinable func pending() -> Ack {
        let ack = PendingAck()
        waiting.append(ack)
        return .pending(ack)
    }

    @inlinable func resume() {
        if waiting.isEmpty { return }
        let resumed = waiting
        waiting = []
        for ack in resumed { ack.complete() }
    }

    @inlinable var isEmpty: Bool { waiting.isEmpty }
}
