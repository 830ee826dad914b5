/// The node behind the `accumulate` family: it owns the running state.
public final class Accumulator<State, Output>: Stream<Output> {
    @usableFromInline @exclusivity(unchecked) var state: State

    @inlinable init(name: String, upstream: StreamNode, state: State) {
        self.state = state
        super.init(name: name, upstream: upstream)
    }

    /// The current state.
    public var currentState: State { state }
}

extension Stream {
    /// A running fold that emits each new state (streamz's `accumulate(f, start)`).
    @inlinable
    public final func accumulate<State>(
        _ initial: State,
        _ combine: @escaping (State, Element) -> State
    ) -> Accumulator<State, State> {
        let node = Accumulator<State, State>(name: "accumulate", upstream: self, state: initial)
        subscribe(node) { element, annotation in
            let next = combine(node.state, element)
            node.state = next
            return node.emit(next, annotation)
        }
        return node
    }

    /// A running fold whose closure returns the next state and what to emit
    /// (streamz's `returns_state=True`).
    @inlinable
    public final func accumulate<State, Output>(
        _ initial: State,
        returningState combine: @escaping (State, Element) -> (State, Output)
    ) -> Accumulator<State, Output> {
        let node = Accumulator<State, Output>(name: "accumulate", upstream: self, state: initial)
        subscribe(node) { element, annotation in
            let (next, output) = combine(node.state, element)
            node.state = next
            return node.emit(output, annotation)
        }
        return node
    }

    /// Like `accumulate(_:returningState:)`, emitting `(state, output)` pairs
    /// (streamz's `with_state=True`).
    @inlinable
    public final func accumulateWithState<State, Output>(
        _ initial: State,
        _ combine: @escaping (State, Element) -> (State, Output)
    ) -> Accumulator<State, (State, Output)> {
        let node = Accumulator<State, (State, Output)>(name: "accumulate", upstream: self, state: initial)
        subscribe(node) { element, annotation in
            let (next, output) = combine(node.state, element)
            node.state = next
            return node.emit((next, output), annotation)
        }
        return node
    }

    /// A running fold with no start value: the first element becomes the state and is
    /// emitted as it is (streamz's `accumulate(f)` without `start`).
    @inlinable
    public final func accumulate(
        _ combine: @escaping (Element, Element) -> Element
    ) -> Accumulator<Element?, Element> {
        let node = Accumulator<Element?, Element>(name: "accumulate", upstream: self, state: nil)
        subscribe(node) { element, annotation in
            let next = node.state.map { combine($0, element) } ?? element
            node.state = next
            return node.emit(next, annotation)
        }
        return node
    }
}
