extension JSONReader {
    /// As `readDocument`, but a top-level object keeps only the members `projection`
    /// names; the others are validated (`skipValue`) and dropped. Any other document
    /// is read whole. Errors are those of a full parse: the same checks run in the
    /// same order, only nothing is built for skipped values.
    mutating func readDocument(projecting projection: JSONProjection) throws(JSONParseError) -> JSONValue {
        guard count > 0 else { throw failure(at: 0, "empty input") }
        skipWhitespace()
        guard position < count, bytes[position] == UInt8(ascii: "{") else { return try readDocumentRest() }
        let value = try readProjectedObject(projection)
        skipWhitespace()
        if position < count { throw failure("unexpected \(describeByte(at: position)) after the value") }
        return value
    }

    private mutating func readDocumentRest() throws(JSONParseError) -> JSONValue {
        let value = try readValue()
        skipWhitespace()
        if position < count { throw failure("unexpected \(describeByte(at: position)) after the value") }
        return value
    }

    /// `readObject` with a filter on the keys (the same checks, in the same order).
    private mutating func readProjectedObject(_ projection: JSONProjection) throws(JSONParseError) -> JSONValue {
        var object = ProjectedObject(projection)
        try readMembers(projection, into: &object)
        return .object(JSONObject(uniqueMembers: object.members))
    }

    /// A document whose top-level object hands each member that `projection` names to
    /// `kept`, by the key's index and with the range of its value's text, in document
    /// order (so the last duplicate comes last), and validates the rest. Returns false, having read nothing, when the
    /// document is not an object.
    mutating func readTopLevelMembers(
        _ projection: JSONProjection, into kept: inout some ProjectedMembers
    ) throws(JSONParseError) -> Bool {
        guard count > 0 else { throw failure(at: 0, "empty input") }
        skipWhitespace()
        guard position < count, bytes[position] == UInt8(ascii: "{") else { return false }
        try readMembers(projection, into: &kept)
        skipWhitespace()
        if position < count { throw failure("unexpected \(describeByte(at: position)) after the value") }
        return true
    }

    /// The object at `position`, its kept members handed to `kept`.
    private mutating func readMembers(
        _ projection: JSONProjection, into kept: inout some ProjectedMembers
    ) throws(JSONParseError) {
        guard try opens(closingWith: UInt8(ascii: "}")) else { return }
        while true {
            guard position < count else { throw failure("unterminated object") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw unexpectedByte(at: position, expected: "a string key") }
            // Plain keys are matched on their bytes; a key with escapes is decoded first.
            let keyStart = position + 1
            let found: Int?
            if let keyEnd = try skipString() {
                found = projection.index(of: UnsafeRawBufferPointer(rebasing: bytes[keyStart..<keyEnd]))
            } else {
                position = keyStart - 1
                found = projection.index(of: try readString())
            }
            skipWhitespace()
            guard position < count, bytes[position] == UInt8(ascii: ":") else {
                throw failure("expected ':' after an object key")
            }
            position += 1
            skipWhitespace()
            if let found {
                let start = position
                let value = try readValue()
                kept.keep(found, value, text: start..<position)
            } else {
                try skipValue()
            }
            if try !continues(the: "object", closingWith: UInt8(ascii: "}")) { break }
        }
        depth -= 1
    }

    /// Validates the value at `position` as `readValue` would, building nothing.
    mutating func skipValue() throws(JSONParseError) {
        guard position < count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            if try skipString() == nil { _ = try readString() }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try readNumber()
        case UInt8(ascii: "{"): try skipObject()
        case UInt8(ascii: "["): try skipArray()
        case UInt8(ascii: "t"): try expectWord("true")
        case UInt8(ascii: "f"): try expectWord("false")
        case UInt8(ascii: "n"): try expectWord("null")
        default: throw unexpectedByte(at: position, expected: "a value")
        }
    }

    private mutating func skipArray() throws(JSONParseError) {
        guard try opens(closingWith: UInt8(ascii: "]")) else { return }
        while true {
            try skipValue()
            if try !continues(the: "array", closingWith: UInt8(ascii: "]")) { break }
        }
        depth -= 1
    }

    /// An object read for its members with none of them kept: the member loop is
    /// `readMembers`', so skipped and read objects fail alike.
    private mutating func skipObject() throws(JSONParseError) {
        var nothing = NoMembers()
        try readMembers(JSONProjection.none, into: &nothing)
    }
}
