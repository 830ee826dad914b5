/// Numbers written as text, for `int()` and `float()`: an optional sign, digits, an
/// optional fraction and exponent. Swift's own parsing would also take hex, "inf" and
/// "nan", which records should not smuggle in.
enum NumericString {
    /// `.int` for integers that fit Int64, `.double` for other finite numbers, else nil.
    static func value(of text: String) -> JSONValue? {
        guard isDecimal(text) else { return nil }
        if let n = Int64(text) { return .int(n) }
        guard let d = Double(text), d.isFinite else { return nil }
        return .double(d)
    }

    private static func isDecimal(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        func digits() -> Bool {
            let before = bytes.count
            while let b = bytes.first, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { bytes.removeFirst() }
            return bytes.count < before
        }
        if let b = bytes.first, b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { bytes.removeFirst() }
        guard digits() else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes.removeFirst()
            guard digits() else { return false }
        }
        if let b = bytes.first, b | 0x20 == UInt8(ascii: "e") {
            bytes.removeFirst()
            if let b = bytes.first, b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { bytes.removeFirst() }
            guard digits() else { return false }
        }
        return bytes.isEmpty
    }
}
