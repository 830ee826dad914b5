// The input: clicks on PAGES pages. Key "page-<n>", value "page-<n>,<number>", Kafka
// timestamp = event time, STEP_US microseconds apart per record (0.3 ms by default, so
// 1M records span 300 s: five 1-minute windows and a bit), each up to DISORDER_MS early
// so that partitions see time go back a little.
import Foundation
import StreamzKafka

struct ClickSpec {
    var pages = environmentInt("PAGES", 10_000)
    var stepMicros = environmentInt("STEP_US", 300)
    var disorderMillis = environmentInt("DISORDER_MS", 300)
    /// A minute boundary, so window k covers records [k·200,000, (k+1)·200,000) at 0.3 ms.
    let base: Int64 = 1_700_000_040_000
}

/// SplitMix64: deterministic, so every produce makes the same input.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The index-th click as a Kafka message. `generator` advances by three draws.
func makeClick(_ index: Int, _ spec: ClickSpec, _ generator: inout SplitMix) -> KafkaOutgoing {
    let page = Int(generator.next() % UInt64(spec.pages))
    let number = Int(generator.next() % 1000)
    let early = spec.disorderMillis > 0 ? Int64(generator.next() % UInt64(spec.disorderMillis + 1)) : 0
    let time = spec.base + Int64(index) * Int64(spec.stepMicros) / 1000 - early
    let key = "page-\(page)"
    return KafkaOutgoing(key: Array(key.utf8), value: Array("\(key),\(number)".utf8), timestamp: time)
}

/// The window key: the record's Kafka key ("page-<n>", a small string: no allocation).
@inline(__always)
func pageKey(_ record: KafkaRecord) -> String {
    guard let key = record.key else { return "" }
    return String(decoding: key, as: UTF8.self)
}

/// The number after the value's last comma, read off the bytes.
@inline(__always)
func clickNumber(_ record: KafkaRecord) -> Double {
    guard let value = record.value, let comma = value.lastIndex(of: UInt8(ascii: ",")) else { return .nan }
    var number = 0
    var index = comma + 1
    guard index < value.count else { return .nan }
    while index < value.count {
        let digit = Int(value[index]) - 48
        guard digit >= 0, digit <= 9 else { return .nan }
        number = number * 10 + digit
        index += 1
    }
    return Double(number)
}
