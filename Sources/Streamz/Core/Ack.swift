

/// What `emit` returns: whether the receiver can take the next element now.
///
/// `.ready` is the common case and costs nothing. `.pending` means a sink, buffer,
/// rate limit or zip input is full or busy: a well-behaved source waits for the
/// pending acknowledgement before it emits again. This is streamz's "future as a
/// receipt", without a future on the fast path.
///
/// An acknowledgement is about back pressure only. Whether an element is *done*
/// (for offset commits) is tracked separately through its `Origin`, because an
/// operator may hold an element (a partial `partition`, say) while still being
/// ready for more.
public enum Ack {
    case ready
    case pending(PendingAck)

    @inlinable public var isReady: Bool {
        if case .ready = self { return true }
        return false
    }

    /// Runs `body` now when ready, else when the pending acknowledgement completes
    /// (on the thread that completes it, which is the graph's executor).
    @inlinable public func whenReady(_ body: @escaping () -> Void) {
        switch self {
        case .ready: body()
        case .pending(let pending): pending.whenComplete(body)
        }
    }

    /// Suspends until ready.
    public func wait() async {
        if case .pending(let pending) = self { await pending.wait() }
    }

    /// The acknowledgement of several emissions: ready once all are.
    @inlinable public static func all(_ first: Ack, _ second: Ack) -> Ack {
        guard case .pending(let a) = first else { return second }
        guard case .pending(let b) = second else { return first }
        return .pending(PendingAck.joining([a, b]))
    }
}

/// A pending acknowledgement. It completes exactly once; callbacks registered
/// before or after completion all run once.
public final class PendingAck: @unchecked Sendable {
    // @unchecked: all state sits behind `state`'s lock; callbacks are not Sendable
    // because they run on whichever executor completes the acknowledgement, which
    // by contract is the graph's own.
    private struct State {
        var done = false
        var callbacks: [() -> Void] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Locked(State())

    public init() {}

    /// Completes when every one of `acks` has.
    public static func joining(_ acks: [PendingAck]) -> PendingAck {
        let joined = PendingAck()
        let remaining = Locked(acks.count)
        if acks.isEmpty { joined.complete() }
        for ack in acks {
            ack.whenComplete {
                let last = remaining.withLock { count -> Bool in
                    count -= 1
                    return count == 0
                }
                if last { joined.complete() }
            }
        }
        return joined
    }

    public var isComplete: Bool { state.withLock { $0.done } }

    public func complete() {
        let (callbacks, waiters) = state.withLock { state -> ([() -> Void], [CheckedContinuation<Void, Never>]) in
            if state.done { return ([], []) }
            state.done = true
            defer { state.callbacks = []; state.waiters = [] }
            return (state.callbacks, state.waiters)
        }
        for callback in callbacks { callback() }
        for waiter in waiters { waiter.resume() }
    }

    public func whenComplete(_ body: @escaping () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.done { return true }
            state.callbacks.append(body)
            return false
        }
        if runNow { body() }
    }

    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
