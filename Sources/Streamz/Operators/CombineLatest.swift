/// The latest element of each input, as a pair, once both have one
/// (streamz's `combine_latest`). `emitOn` restricts which input triggers it.
///
/// Nothing is held: each element was acknowledged when it was first combined, and
/// later pairs merely repeat it.
public final class CombineLatestNode<Left, Right>: Stream<(Left, Right)> {
    private var left: Left?
    private var right: Right?

    init(left leftStream: Stream<Left>, right rightStream: Stream<Right>, emitOn: CombineLatestTrigger) {
        super.init(name: "combineLatest", upstream: leftStream)
        leftStream.subscribe(self) { value, annotation in
            self.left = value
            guard emitOn != .second, let right = self.right else { return .ready }
            return self.emit((value, right), annotation)
        }
        rightStream.subscribe(self) { value, annotation in
            self.right = value
            guard emitOn != .first, let left = self.left else { return .ready }
            return self.emit((left, value), annotation)
        }
    }
}

/// Every element of this stream, paired with the latest of another
/// (streamz's `zip_latest`). Elements that arrive before the other stream has
/// produced anything wait, held, and go out as soon as it does.
public final class ZipLatestNode<Left, Right>: Stream<(Left, Right)> {
    private var latest: Right?
    private var waiting = ElementQueue<Left>()

    init(lossless: Stream<Left>, other: Stream<Right>) {
        super.init(name: "zipLatest", upstream: lossless)
        lossless.subscribe(self) { value, annotation in
            guard let latest = self.latest else {
                annotation.origin?.retain()
                self.waiting.push(value, annotation)
                return .ready
            }
            return self.emit((value, latest), annotation)
        }
        other.subscribe(self) { value, _ in
            self.latest = value
            var ack = Ack.ready
            while let (element, annotation) = self.waiting.pop() {
                ack = Ack.all(ack, self.emit((element, value), annotation))
                annotation.origin?.release()
            }
            return ack
        }
    }
}

extension Stream {
    /// The latest of this stream and `other`, as a pair (streamz's `combine_latest`).
    public final func combineLatest<Other>(
        _ other: Stream<Other>, emitOn: CombineLatestTrigger = .either
    ) -> CombineLatestNode<Element, Other> {
        CombineLatestNode(left: self, right: other, emitOn: emitOn)
    }

    /// Every element of this stream with the latest of `other` (streamz's `zip_latest`).
    public final func zipLatest<Other>(_ other: Stream<Other>) -> ZipLatestNode<Element, Other> {
        ZipLatestNode(lossless: self, other: other)
    }
}
