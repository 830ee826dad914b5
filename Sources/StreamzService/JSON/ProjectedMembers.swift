/// Where a projected parse puts the members it keeps (see `JSONReader.readTopLevelMembers`):
/// a `JSONObject` being built, or the reused slots of a `RecordSlots`.
protocol ProjectedMembers {
    /// The member whose key is `projection.keys[index]`, its value parsed from the
    /// input's bytes `text`. A later duplicate replaces an earlier one.
    mutating func keep(_ index: Int, _ value: JSONValue, text: Range<Int>)
}

/// The members of a projected object, in document order.
struct ProjectedObject: ProjectedMembers {
    private let names: [String]
    private(set) var members: [JSONObject.Member] = []
    private var index: [UTF8Key: Int]? = nil

    init(_ projection: JSONProjection) {
        names = projection.names
        members.reserveCapacity(projection.keys.count)
    }

    mutating func keep(_ index: Int, _ value: JSONValue, text: Range<Int>) {
        JSONObject.insert(names[index], value, into: &members, index: &self.index)
    }
}

/// For objects whose members are all skipped.
struct NoMembers: ProjectedMembers {
    func keep(_ index: Int, _ value: JSONValue, text: Range<Int>) {}
}
