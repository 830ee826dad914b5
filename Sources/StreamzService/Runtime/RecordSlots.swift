/// The top-level members of the record in hand that a program reads, one slot per key
/// of its projection, overwritten by each record's parse. Expressions compiled against
/// it (`SlotFieldNode`) read a slot by index, so a record is never built as an object:
/// no member array to allocate and free, and no key comparisons per field read.
///
/// Belongs to one `RecordProgram`, on its pipeline's loop thread.
final class RecordSlots: ProjectedMembers {
    let projection: JSONProjection
    /// nil: the record has no such member.
    @exclusivity(unchecked) private(set) var values: [JSONValue?]
    /// Where a slot's value sits in the input when those bytes are exactly what
    /// `JSONWriter` would write for it, so a map that copies the field can copy them:
    /// strings without escapes (an escape always makes the text longer than the
    /// string), integers (but `-0`), booleans and null. Otherwise nil.
    @exclusivity(unchecked) private(set) var verbatim: [Range<Int>?]
    /// The same members read as scalars by `readScalars`, for the scalar path: raw
    /// memory, so reading a slot costs no retain (nil: no such member).
    let scalars: UnsafeMutablePointer<Scalar?>
    /// Where an `.int` slot of `scalars` sits in the record, when that text is what
    /// `JSONWriter` writes for it (empty for `-0`): a map that copies the field copies
    /// these bytes instead of formatting the number again. Only meaningful where
    /// `scalars` holds an `.int`, and, like a `.text` scalar, while the record's bytes
    /// are in hand.
    let integerTexts: UnsafeMutablePointer<UnsafeRawBufferPointer>

    init(_ projection: JSONProjection) {
        self.projection = projection
        values = Array(repeating: nil, count: projection.keys.count)
        verbatim = Array(repeating: nil, count: projection.keys.count)
        scalars = .allocate(capacity: max(projection.keys.count, 1))
        scalars.initialize(repeating: nil, count: max(projection.keys.count, 1))
        integerTexts = .allocate(capacity: max(projection.keys.count, 1))
        integerTexts.initialize(repeating: UnsafeRawBufferPointer(start: nil, count: 0), count: max(projection.keys.count, 1))
    }

    deinit {
        scalars.deinitialize(count: max(projection.keys.count, 1))
        scalars.deallocate()
        integerTexts.deallocate()
    }

    /// Reads `bytes` into `scalars` (see `JSONReader.readScalarMembers`): false when
    /// the record is not an object of scalar members, and must be parsed.
    func readScalars(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONParser.defaultMaxDepth) -> Bool {
        for i in 0..<projection.keys.count { scalars[i] = nil }
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        return reader.readScalarMembers(projection, into: scalars, integerTexts: integerTexts)
    }

    /// Empties every slot, for the next record.
    func clear() {
        values.withUnsafeMutableBufferPointer { slots in
            for i in slots.indices { slots[i] = nil }
        }
        verbatim.withUnsafeMutableBufferPointer { ranges in
            for i in ranges.indices { ranges[i] = nil }
        }
    }

    func keep(_ index: Int, _ value: JSONValue, text: Range<Int>) {
        values[index] = value
        switch value {
        case .string(let string): verbatim[index] = string.utf8.count + 2 == text.count ? text : nil
        case .int(let number): verbatim[index] = JSONWriter.writesIntegerAsRead(number, textCount: text.count) ? text : nil
        case .bool, .null: verbatim[index] = text
        case .double, .array, .object: verbatim[index] = nil
        }
    }

    /// The slot a whole expression reads, when it is one top-level field (`user`).
    func slot(readBy expression: Expression) -> Int? {
        guard let node = expression.root as? SlotFieldNode, node.slots === self, node.path.components.count == 1 else {
            return nil
        }
        return node.slot
    }

    /// Parses `bytes` into the slots: nil when the document is an object (the slots
    /// hold it); otherwise the whole document, read once, with the slots empty.
    func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) -> JSONValue? {
        clear()
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        var slots = self
        if try reader.readTopLevelMembers(projection, into: &slots) { return nil }
        return try reader.readDocument()
    }

    /// `expression` with its field reads turned into slot reads. Every top-level key
    /// it reads must be in the projection.
    func compile(_ expression: Expression) -> Expression {
        Expression(text: expression.text, root: expression.root.replacingFields { field in
            guard case .key(let key) = field.path.components[0], let slot = projection.index(of: key) else {
                preconditionFailure("field '\(field.path.text)' is not in the record's projection")
            }
            return SlotFieldNode(field.path, slot: slot, in: self)
        })
    }
}
