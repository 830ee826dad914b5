import Streamz
import StreamzKafka

/// Why a step could not handle a record. The text lands in the dead letter's
/// `streamz.error` header, so it stays one short line.
public struct StepFailure: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// One step of a configured pipeline: turns each record into its output, or drops it
/// (a filter), or hands it to `deadLetters` with the reason. Never a silent drop:
/// what a step cannot process is routed, with its origin, to where it is counted.
final class RecordStep<Input, Output>: Streamz.Stream<Output> {
    typealias Body = (Input, inout Annotation) throws(StepFailure) -> Output?

    let deadLetters: Streamz.Stream<DeadLetter>
    private let body: Body
    private let sourceOf: (Input) -> KafkaRecord
    /// False for a body that runs several stages and names the failing one itself.
    private let prefixesReasons: Bool

    init(name: String, upstream: Streamz.Stream<Input>, deadLetters: Streamz.Stream<DeadLetter>,
         sourceOf: @escaping (Input) -> KafkaRecord, prefixesReasons: Bool = true, body: @escaping Body) {
        self.deadLetters = deadLetters
        self.body = body
        self.sourceOf = sourceOf
        self.prefixesReasons = prefixesReasons
        super.init(name: name, upstream: upstream)
        upstream.subscribe(self) { input, annotation in
            self.receive(input, annotation)
        }
    }

    private func receive(_ input: Input, _ annotation: Annotation) -> Ack {
        var annotated = annotation
        do {
            guard let output = try body(input, &annotated) else { return .ready }
            return emit(output, annotated)
        } catch {
            let reason = prefixesReasons ? "\(name): \(error.reason)" : error.reason
            return deadLetters.emit(DeadLetter(source: sourceOf(input), reason: reason), annotation)
        }
    }
}

extension Streamz.Stream where Element == ServiceRecord {
    func step<Output>(_ name: String, deadLetters: Streamz.Stream<DeadLetter>,
                      _ body: @escaping RecordStep<ServiceRecord, Output>.Body) -> RecordStep<ServiceRecord, Output> {
        RecordStep(name: name, upstream: self, deadLetters: deadLetters,
                   sourceOf: { $0.source }, body: body)
    }
}
