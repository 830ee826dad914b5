/// Pairs the n-th element of this stream with the n-th of another (streamz's `zip`).
///
/// Each input has a buffer of `maxBuffer`; an input whose buffer is full gets
/// `.pending` until the other side catches up, so a fast input cannot grow memory.
/// Buffered elements keep their origins held until their pair is acknowledged.
public final class ZipNode<Left, Right>: Stream<(Left, Right)> {
    private var state: ZipState<Left, Right>
    private let leftWaiters = UpstreamWaiters()
    private let rightWaiters = UpstreamWaiters()
    private let group = OriginGroup()

    init(left: Stream<Left>, right: Stream<Right>, maxBuffer: Int) {
        self.state = ZipState(maxBuffer: maxBuffer)
        super.init(name: "zip", upstream: left)
        left.subscribe(self) { value, annotation in
            annotation.origin?.retain()
            self.state.pushLeft(value, annotation)
            let ack = self.emitPairs()
            return self.state.leftIsFull ? Ack.all(ack, self.leftWaiters.pending()) : ack
        }
        right.subscribe(self) { value, annotation in
            annotation.origin?.retain()
            self.state.pushRight(value, annotation)
            let ack = self.emitPairs()
            return self.state.rightIsFull ? Ack.all(ack, self.rightWaiters.pending()) : ack
        }
    }

    private func emitPairs() -> Ack {
        var ack = Ack.ready
        while let (l, r, annotations) = state.nextPair() {
            var held = HeldOrigins()
            for annotation in annotations {
                held.hold(annotation)
                annotation.origin?.release()  // the hold moves into `held`
            }
            ack = Ack.all(ack, emit((l, r), releasing: &held, through: group))
        }
        if !state.leftIsFull { leftWaiters.resume() }
        if !state.rightIsFull { rightWaiters.resume() }
        return ack
    }
}

extension Stream {
    /// Pairs elements of this stream and `other` in order (streamz's `zip`).
    public final func zip<Other>(_ other: Stream<Other>, maxBuffer: Int = 10) -> ZipNode<Element, Other> {
        ZipNode(left: self, right: other, maxBuffer: maxBuffer)
    }
}
