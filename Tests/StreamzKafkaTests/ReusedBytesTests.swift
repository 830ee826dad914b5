import Testing
@testable import StreamzKafka

@Suite struct ReusedBytesTests {
    private func fill(_ bytes: inout ReusedBytes, _ text: String) -> [UInt8]? {
        var source = Array(text.utf8)
        return source.withUnsafeMutableBytes { bytes.fill(from: $0.baseAddress, count: $0.count) }
    }

    private func address(_ array: [UInt8]?) -> UnsafeRawPointer? {
        array?.withUnsafeBytes { $0.baseAddress }
    }

    @Test func aNullPointerIsNoBytes() {
        var bytes = ReusedBytes()
        #expect(bytes.fill(from: nil, count: 0) == nil)
        #expect(fill(&bytes, "") == [])
    }

    @Test func storageNobodyKeptIsRefilledInPlace() {
        var bytes = ReusedBytes()
        let first = address(fill(&bytes, "first record"))
        let second = fill(&bytes, "second")
        #expect(second == Array("second".utf8))
        #expect(address(second) == first)
    }

    @Test func aKeptRecordKeepsItsBytes() {
        var bytes = ReusedBytes()
        let kept = fill(&bytes, "kept by a buffer")
        let next = fill(&bytes, "the next record")
        #expect(kept == Array("kept by a buffer".utf8))
        #expect(next == Array("the next record".utf8))
        #expect(address(kept) != address(next))
    }

    @Test func largeStorageIsNotKeptForTheNextRecord() {
        var bytes = ReusedBytes()
        _ = fill(&bytes, String(repeating: "x", count: ReusedBytes.keptCapacity + 1))
        let small = fill(&bytes, "small")
        #expect(small == Array("small".utf8))
        #expect(small!.capacity <= ReusedBytes.keptCapacity)
    }
}
