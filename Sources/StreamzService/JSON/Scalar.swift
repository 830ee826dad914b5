/// A JSON scalar as the scalar path (`RecordProgram.runOnScalars`) reads and computes
/// it: no `String`, no reference counting. A string is the bytes of its text in the
/// record being read, or in a literal's storage, so it is only valid while the record's
/// bytes are in hand. Its bytes are the string's UTF-8 and need no escape in JSON (no
/// quote, backslash or control character): a string read with an escape is decoded on
/// the general path, and a literal that would need one keeps its program off this path.
///
/// Every operation here either gives exactly what the `JSONValue` operation gives for
/// the same values, or nil where that operation would fail or would have to allocate;
/// the record then takes the general path, which gives the error or the value.
enum Scalar {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case text(UnsafeRawBufferPointer)

    /// A number as a `JSONValue` (no payload to retain), for the shared arithmetic.
    private var number: JSONValue? {
        switch self {
        case .int(let n): .int(n)
        case .double(let d): .double(d)
        default: nil
        }
    }

    private init?(number: JSONValue) {
        switch number {
        case .int(let n): self = .int(n)
        case .double(let d): self = .double(d)
        default: return nil
        }
    }

    /// `ValueComparison.equal`, for scalars.
    static func equal(_ a: Scalar, _ b: Scalar) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return ValueComparison.compare(x, y) == 0
        case (.text(let x), .text(let y)): return x.count == y.count && compareBytes(x, y) == 0
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// `BinaryOperator.apply`, for scalars; nil where that throws, and for `+` of two
    /// strings (a new string).
    static func apply(_ op: BinaryOperator, _ a: Scalar, _ b: Scalar) -> Scalar? {
        if case .int(let x) = a, case .int(let y) = b, let result = applyToIntegers(op, x, y) { return result }
        switch op {
        case .equal: return .bool(equal(a, b))
        case .notEqual: return .bool(!equal(a, b))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let order: Int?
            if case .text(let x) = a, case .text(let y) = b {
                order = compareBytes(x, y)
            } else {
                guard let x = a.number, let y = b.number else { return nil }
                do { order = try ValueComparison.order(x, y, for: op) } catch { return nil }
            }
            guard let order else { return .bool(false) }  // NaN is unordered
            switch op {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .add, .subtract, .multiply, .divide, .remainder:
            guard let x = a.number, let y = b.number else { return nil }
            do { return Scalar(number: try Arithmetic.apply(op, x, y)) } catch { return nil }
        }
    }

    /// The usual case, two integers compared, added, subtracted or multiplied, without
    /// going through `JSONValue`; nil for the other operators and on overflow, which
    /// `apply` then decides.
    @inline(__always)
    private static func applyToIntegers(_ op: BinaryOperator, _ x: Int64, _ y: Int64) -> Scalar? {
        switch op {
        case .equal: return .bool(x == y)
        case .notEqual: return .bool(x != y)
        case .less: return .bool(x < y)
        case .lessOrEqual: return .bool(x <= y)
        case .greater: return .bool(x > y)
        case .greaterOrEqual: return .bool(x >= y)
        default:
            guard let result = Arithmetic.integerWithOverflow(op, x, y), !result.overflow else { return nil }
            return .int(result.partialValue)
        }
    }

    /// The sign of `a - b` by bytes: `UTF8Bytes.compare`'s order.
    private static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        UTF8Bytes.compare(a.assumingMemoryBound(to: UInt8.self), b.assumingMemoryBound(to: UInt8.self))
    }

    /// The most bytes `write(to:)` writes for this value.
    var maxWrittenLength: Int {
        switch self {
        case .null: 4
        case .bool: 5
        case .int: JSONWriter.maxIntLength
        case .double: JSONWriter.maxDoubleLength
        case .text(let bytes): bytes.count + 2
        }
    }

    /// Writes the JSON text `JSONWriter` writes for the same value at `target`, which
    /// has room for `maxWrittenLength` bytes; returns how many it wrote.
    func write(to target: UnsafeMutableRawPointer) -> Int {
        switch self {
        case .null: return JSONWriter.writeWord("null", to: target)
        case .bool(let b): return JSONWriter.writeWord(b ? "true" : "false", to: target)
        case .int(let n): return JSONWriter.writeInt(n, to: target)
        case .double(let d): return JSONWriter.writeDouble(d, to: target)
        case .text(let bytes):
            target.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
            if let base = bytes.baseAddress { JSONWriter.copyBytes(bytes.count, from: base, to: target + 1) }
            target.storeBytes(of: UInt8(ascii: "\""), toByteOffset: bytes.count + 1, as: UInt8.self)
            return bytes.count + 2
        }
    }

    /// `write(to:)`, appended to `buffer`.
    func write(into buffer: inout [UInt8]) {
        JSONWriter.append(to: &buffer, atMost: maxWrittenLength) { write(to: $0) }
    }

    /// Appends the key bytes `OutputEncoding.append` makes of the same value; false for
    /// null, which is no key.
    func appendKey(to buffer: inout [UInt8]) -> Bool {
        switch self {
        case .null: return false
        case .text(let bytes): buffer.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
        default: write(into: &buffer)
        }
        return true
    }
}
