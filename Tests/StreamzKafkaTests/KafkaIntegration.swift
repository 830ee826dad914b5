import Testing

/// Every suite that starts mock brokers runs one test at a time, under this suite.
///
/// librdkafka's mock cluster (2.0.2) re-binds a broker's port when a test brings the
/// broker back up, and aborts the whole process if that port was taken meanwhile. A
/// mock cluster started by a parallel test takes ephemeral ports, so the port of a
/// downed broker could be among them. Serialising these suites removes that race.
@Suite(.serialized) enum KafkaIntegration {}
