/// String comparisons by UTF-8 bytes, which is also Unicode scalar order.
///
/// Swift's `String ==` and `<` use canonical equivalence (and its hashing normalises),
/// but JSON keys and values are compared as the bytes that arrived: two records whose
/// keys differ only in normalisation are different keys. Byte equality is finer than
/// canonical equivalence, so `String`'s hash stays consistent with it.
enum UTF8Bytes {
    static func equal(_ a: String, _ b: String) -> Bool {
        // Identical representations (the same small string, or the same buffer) are equal
        // bytes. Otherwise the lengths (O(1) for native strings), then the bytes: cheaper
        // than `!=`, which compares by canonical equivalence, for the short keys of records.
        if sameRepresentation(a, b) { return true }
        guard a.utf8.count == b.utf8.count else { return false }
        return withBytes(a, b) { pa, pb in compare(pa, pb) == 0 }
    }

    /// -1, 0 or 1 as `a` sorts before, with or after `b` by Unicode scalar values.
    static func compare(_ a: String, _ b: String) -> Int {
        withBytes(a, b) { pa, pb in compare(pa, pb) }
    }

    static func hasPrefix(_ s: String, _ prefix: String) -> Bool {
        withBytes(s, prefix) { ps, pp in
            pp.count <= ps.count && compare(UnsafeBufferPointer(rebasing: ps[..<pp.count]), pp) == 0
        }
    }

    /// Byte substring search: UTF-8 is self-synchronising, so a byte match of valid
    /// UTF-8 is always a match of whole scalars.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        withBytes(haystack, needle) { h, n in
            guard !n.isEmpty else { return true }
            guard n.count <= h.count else { return false }
            let first = n[0]
            for i in 0...(h.count - n.count) where h[i] == first {
                if compare(UnsafeBufferPointer(rebasing: h[i..<i + n.count]), n) == 0 { return true }
            }
            return false
        }
    }

    private static func withBytes<R>(
        _ a: String, _ b: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        var a = a, b = b
        return a.withUTF8 { pa in b.withUTF8 { pb in body(pa, pb) } }
    }

    private static func sameRepresentation(_ a: String, _ b: String) -> Bool {
        withUnsafeBytes(of: a) { ra in
            withUnsafeBytes(of: b) { rb in
                if MemoryLayout<String>.size == 16 {
                    return ra.loadUnaligned(as: UInt64.self) == rb.loadUnaligned(as: UInt64.self)
                        && ra.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                            == rb.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                }
                return ra.elementsEqual(rb)
            }
        }
    }

    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        var i = 0
        while i + 8 <= n {
            let wa = UnsafeRawPointer(a.baseAddress!).loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let wb = UnsafeRawPointer(b.baseAddress!).loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if wa != wb { break }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
