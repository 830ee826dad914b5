/// The example config, exactly as users see it in the README.
enum ExampleConfig {
    static let yaml = """
        kafka:
          bootstrap_servers: "${KAFKA_BOOTSTRAP_SERVERS:-embedded}"  # "embedded" starts the embedded broker in-process
          group_id: clicks-app
          properties: {}            # passed to librdkafka unchanged, e.g. security.protocol, sasl.*
        postgres:
          url: "${DATABASE_URL}"    # optional; required when a pipeline has a postgres sink
        http:
          port: 9464                # /metrics (Prometheus), /healthz, /readyz; 0 turns it off
        pipelines:
          - name: enrich
            source:
              topics: [clicks]
              format: json          # json | text | bytes
              start: earliest       # earliest (default) | latest, when the group has no committed offset
              event_time: {field: ts, unit: ms}   # unit: ms | s | iso8601; omitted: the Kafka timestamp
              watermark: {max_out_of_order: 2s, idle_timeout: 10s}   # defaults: 0s and 30s
            steps:
              - filter: "value > 10 && page != '/health'"
              - map:                # builds the output object; each value is an expression
                  user: user
                  page: page
                  value2: "value * 2"
                  ts: ts
            sink:
              kafka: {topic: clicks-enriched, key: user}   # key: an expression; omitted: the input key
            dead_letter: {topic: clicks-dlq}
          - name: page_views
            source: {topics: [clicks], format: json, event_time: {field: ts, unit: ms}}
            steps:
              - window:
                  kind: tumbling    # tumbling | hopping (advance:) | sliding | session (gap:)
                  size: 1m
                  grace: 5s
                  key: [page]
                  aggregate: {views: "count()", total: "sum(value)", top: "max(value)"}
                  emit: final       # final | update
                  close_on_idle: 30s  # optional
            sink:
              postgres: {table: page_views_per_minute}   # created when missing
            dead_letter: {topic: clicks-dlq}

        """
}
