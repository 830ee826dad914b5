import Prometheus

/// The names and HELP texts of every metric family the service exports.
///
/// Kept in one place because the registry requires every series of a family to carry
/// the same HELP text (it traps on a mismatch), and all pipelines share the families.
/// Computed rather than stored: `MetricNameDescriptor` is not `Sendable`.
enum StreamzMetricFamily {
    static var recordsIn: MetricNameDescriptor {
        streamz("records_in", unit: "total", help: "Records read from the pipeline's sources.")
    }

    static var recordsOut: MetricNameDescriptor {
        streamz("records_out", unit: "total", help: "Records written to the pipeline's sinks.")
    }

    static var deadLetters: MetricNameDescriptor {
        streamz("dead_letter", unit: "total", help: "Records sent to the dead-letter destination.")
    }

    static var lateRecords: MetricNameDescriptor {
        streamz("late_records", unit: "total",
                help: "Records that arrived after their event-time window had closed.")
    }

    static var inFlight: MetricNameDescriptor {
        streamz("in_flight_records", help: "Records read but not yet acknowledged by every sink.")
    }

    static var openWindows: MetricNameDescriptor {
        streamz("open_windows", help: "Event-time windows currently open.")
    }

    static var consumerLag: MetricNameDescriptor {
        streamz("consumer_lag", help: "Messages between the consumer's position and the end of the partition.")
    }

    static var committedOffset: MetricNameDescriptor {
        streamz("committed_offset", help: "Last offset committed for the partition.")
    }

    static var sinkLatency: MetricNameDescriptor {
        streamz("sink_latency", unit: "seconds",
                help: "Time from handing records to a sink until it acknowledged them, in seconds.")
    }

    /// `streamz_<name>[_<unit>]`; an empty unit is left out of the name.
    private static func streamz(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "streamz", metricName: name, unitName: unit, helpText: help)
    }
}
