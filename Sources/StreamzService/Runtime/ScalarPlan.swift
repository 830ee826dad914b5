import Streamz

/// A `RecordProgram`'s slotted stages, flattened for the scalar path (see
/// `RecordProgram.runOnScalars`) so that running them copies no reference: the nodes
/// are held unmanaged (the plan keeps them alive) and the output's member prefixes sit
/// in one byte buffer. Reading the stages themselves (arrays of enums holding
/// `Expression`s, tuples of arrays and strings) cost a dozen retains and releases per
/// record, more than the work.
///
/// Built only when every expression of the stages reads scalars.
final class ScalarPlan {
    /// Keeps the unmanaged nodes alive.
    private let nodes: [ExpressionNode]
    /// What the nodes read; each record is read into it first.
    let slots: RecordSlots
    private let filters: UnsafeMutableBufferPointer<Unmanaged<ExpressionNode>>
    /// The output object's members, when the stages end in a `DirectMap`.
    private let members: UnsafeMutableBufferPointer<Unmanaged<ExpressionNode>>
    /// Per member, the slot it copies (`DirectMap.copiedSlots`), or -1: read without a
    /// call, and an integer there is written as its text in the record.
    private let copiedSlots: UnsafeMutableBufferPointer<Int>
    /// Member i's `,"name":` prefix is `prefixes[prefixEnds[i - 1] ..< prefixEnds[i]]`.
    private let prefixEnds: UnsafeMutableBufferPointer<Int>
    private let prefixes: UnsafeMutableRawBufferPointer
    /// Where the object is written before it is appended to the output buffer in one
    /// copy (one append per token cost more than the writing); grows to the largest.
    private var scratch: UnsafeMutableRawBufferPointer
    let writesObject: Bool
    /// The member that is also the key; -1 for none.
    private let keyMember: Int
    /// The key expression, when there is no output object.
    private let key: Unmanaged<ExpressionNode>?
    private let readsEventTime: Bool
    private let eventTimeField: Unmanaged<ExpressionNode>?
    private let eventTimeUnit: Streamz.EventTimeUnit
    private let maxAheadOfWallClock: Int64?

    /// nil unless every expression of `stages` reads scalars.
    init?(_ stages: RecordProgram.Stages) {
        guard let slots = stages.slots, Self.readsScalars(stages) else { return nil }
        self.slots = slots
        var nodes: [ExpressionNode] = []
        func hold(_ node: ExpressionNode) -> Unmanaged<ExpressionNode> {
            nodes.append(node)
            return Unmanaged.passUnretained(node)
        }
        filters = .allocate(capacity: stages.steps.count)
        for (i, step) in stages.steps.enumerated() {
            guard case .filter(let expression) = step else { preconditionFailure("readsScalars allows filters only") }
            filters.initializeElement(at: i, to: hold(expression.root))
        }
        let fields = stages.output?.fields ?? []
        writesObject = stages.output != nil
        keyMember = stages.output?.keyField ?? -1
        members = .allocate(capacity: fields.count)
        copiedSlots = .allocate(capacity: fields.count)
        scratch = .allocate(byteCount: 256, alignment: 1)
        prefixEnds = .allocate(capacity: fields.count)
        prefixes = .allocate(byteCount: fields.reduce(0) { $0 + $1.prefix.count }, alignment: 1)
        var end = 0
        for (i, field) in fields.enumerated() {
            members.initializeElement(at: i, to: hold(field.value.root))
            copiedSlots.initializeElement(at: i, to: stages.output?.copiedSlots[i] ?? -1)
            prefixes[end..<end + field.prefix.count].copyBytes(from: field.prefix)
            end += field.prefix.count
            prefixEnds.initializeElement(at: i, to: end)
        }
        key = stages.output == nil ? stages.key.map { hold($0.root) } : nil
        readsEventTime = stages.eventTime != nil
        eventTimeField = stages.eventTime?.field.map { hold($0.root) }
        eventTimeUnit = stages.eventTime?.unit ?? .milliseconds
        maxAheadOfWallClock = stages.eventTime?.maxAheadOfWallClock
        self.nodes = nodes
    }

    private static func readsScalars(_ stages: RecordProgram.Stages) -> Bool {
        guard stages.eventTime?.field?.root.readsScalars ?? true else { return false }
        for step in stages.steps {
            guard case .filter(let expression) = step, expression.root.readsScalars else { return false }
        }
        if let output = stages.output { return output.fields.allSatisfy { $0.value.root.readsScalars } }
        return stages.key?.root.readsScalars ?? true
    }

    deinit {
        filters.deallocate()
        members.deallocate()
        copiedSlots.deallocate()
        prefixEnds.deallocate()
        prefixes.deallocate()
        scratch.deallocate()
    }

    /// `EventTimeReading.read`, or nil (unsure); `kafkaTime` when the stages read none.
    func eventTime(kafkaTime: Int64) -> Int64? {
        guard readsEventTime else { return kafkaTime }
        let millis: Int64
        if let eventTimeField {
            let value = eventTimeField._withUnsafeGuaranteedRef { $0.scalar() }
            guard let fieldMillis = EventTimeReading.milliseconds(fromScalar: value, unit: eventTimeUnit) else { return nil }
            millis = fieldMillis
        } else {
            guard let time = EventTimeReading.eventTime(fromKafkaTime: kafkaTime) else { return nil }
            millis = time
        }
        return EventTimeReading.isTooFarAhead(millis, limit: maxAheadOfWallClock) ? nil : millis
    }

    /// Whether the record passes every filter; nil (unsure) where one is not a bool.
    func passes() -> Bool? {
        for filter in filters {
            guard case .bool(let pass)? = filter._withUnsafeGuaranteedRef({ $0.scalar() }) else { return nil }
            if !pass { return false }
        }
        return true
    }

    /// Replaces `buffer`'s bytes with the output object, and appends its key member's key
    /// bytes to `keyBytes` (`hasKey` false for a null key); false (unsure) where a
    /// member is not a scalar.
    func writeObject(replacing buffer: inout [UInt8], keyBytes: inout [UInt8], hasKey: inout Bool) -> Bool {
        var written = 1
        var prefixStart = 0
        for i in 0..<members.count {
            let slot = copiedSlots[i]
            guard let value = slot >= 0 ? slots.scalars[slot] : members[i]._withUnsafeGuaranteedRef({ $0.scalar() }) else {
                return false
            }
            let prefixLength = prefixEnds[i] - prefixStart
            // Room for this member and the closing brace.
            reserveScratch(written + prefixLength + value.maxWrittenLength + 1, keeping: written)
            let base = scratch.baseAddress!
            JSONWriter.copyBytes(prefixLength, from: prefixes.baseAddress! + prefixStart, to: base + written)
            written += prefixLength
            prefixStart = prefixEnds[i]
            if slot >= 0, case .int = value, let text = slots.integerTexts[slot].baseAddress {
                // At most `maxIntLength` bytes, like any integer `readScalars` accepts.
                let count = slots.integerTexts[slot].count
                JSONWriter.copyBytes(count, from: text, to: base + written)
                written += count
            } else {
                written += value.write(to: base + written)
            }
            if i == keyMember { hasKey = value.appendKey(to: &keyBytes) }
        }
        reserveScratch(written + 1, keeping: written)
        scratch.storeBytes(of: UInt8(ascii: "{"), as: UInt8.self)
        scratch.storeBytes(of: UInt8(ascii: "}"), toByteOffset: written, as: UInt8.self)
        written += 1
        // One call: in place when the buffer is unique, else one copy of the right size.
        buffer.replaceSubrange(buffer.indices, with: UnsafeRawBufferPointer(rebasing: scratch[..<written]))
        return true
    }

    /// Grows `scratch` to at least `count` bytes (rarely: it keeps its largest size),
    /// keeping what is written so far.
    @inline(__always)
    private func reserveScratch(_ count: Int, keeping written: Int) {
        guard scratch.count < count else { return }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 2 * scratch.count), alignment: 1)
        larger.baseAddress!.copyMemory(from: scratch.baseAddress!, byteCount: written)
        scratch.deallocate()
        scratch = larger
    }

    /// The key bytes of the key expression, when there is no output object; false
    /// (unsure) where it is not a scalar.
    func writeKey(into keyBytes: inout [UInt8], hasKey: inout Bool) -> Bool {
        guard let key else { return true }
        guard let value = key._withUnsafeGuaranteedRef({ $0.scalar() }) else { return false }
        hasKey = value.appendKey(to: &keyBytes)
        return true
    }

    /// Which parts of the message the plan writes; the record gives the others.
    struct Output {
        var writesObject: Bool
        var hasKeyExpression: Bool
    }

    var output: Output { Output(writesObject: writesObject, hasKeyExpression: writesObject ? keyMember >= 0 : key != nil) }
}
