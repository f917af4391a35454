// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way, from pure to effectful:
// HeraldCore (pure rules) <- HeraldStore (GRDB, SwiftCSV) / HeraldCarrier (libcurl) / HeraldConfig (TOML)
//   <- HeraldDaemon (services) <- executables.
let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "heraldd", targets: ["heraldd"]),
        .executable(name: "heraldctl", targets: ["heraldctl"]),
        .executable(name: "herald-carrier-sim", targets: ["herald-carrier-sim"]),
        .executable(name: "herald-bench", targets: ["HeraldBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C shims: tiny, one per system library.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CSQLiteConfig", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        .target(name: "HeraldCore"),
        // The admin socket's wire contract, shared by heraldd and heraldctl.
        // Depends on Core so that states and reasons are typed on the wire, not strings.
        .target(name: "HeraldControl", dependencies: ["HeraldCore"]),
        .target(
            name: "HeraldStore",
            dependencies: [
                "HeraldCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // Raw statement pointers for the hottest statements (SQLite/DirectBinding.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                // Process-wide SQLite settings (SQLite/SQLiteProcessSettings.swift).
                "CSQLiteConfig",
                // The PostgreSQL backend (Sources/HeraldStore/PostgreSQL).
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                // Contacts import reads operator-supplied CSV.
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ]
        ),
        .target(
            name: "HeraldCarrier",
            dependencies: [
                "HeraldCore", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HeraldConfig",
            dependencies: ["HeraldCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "CarrierSimulator",
            dependencies: [
                "HeraldCore", "HeraldCarrier",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HeraldDaemon",
            dependencies: [
                "HeraldCore", "HeraldStore", "HeraldCarrier", "HeraldConfig", "HeraldControl", "CSystemd", "CMalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                // Metrics are made through swift-metrics' types and exposed by swift-prometheus.
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "heraldd",
            dependencies: [
                "HeraldDaemon", "HeraldConfig", "HeraldControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "heraldctl",
            dependencies: [
                "HeraldCore", "HeraldConfig", "HeraldControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "herald-carrier-sim",
            dependencies: [
                "CarrierSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "HeraldBench",
            dependencies: [
                "HeraldCore", "HeraldDaemon", "HeraldStore", "HeraldCarrier", "HeraldConfig", "CCurl",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The shared-queue bench's producer and observer on PostgreSQL.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/HeraldBench"
        ),

        // Shared by the test targets: waits with a deadline and the twins (a scripted carrier, a
        // manual clock, a temporary store, a dispatch driver on the manual clock). Not a product
        // and no production target depends on it, so test twins stay out of heraldd.
        .target(
            name: "HeraldTestSupport",
            dependencies: [
                "HeraldCore", "HeraldCarrier", "HeraldStore",
                // A private PostgreSQL cluster per test process, a database per test.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/HeraldTestSupport"
        ),
        .testTarget(
            name: "HeraldCoreTests",
            dependencies: ["HeraldCore", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "HeraldControlTests", dependencies: ["HeraldControl"]),
        .testTarget(name: "HeraldConfigTests", dependencies: ["HeraldConfig", "HeraldCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "HeraldStoreTests",
            dependencies: [
                "HeraldStore", "HeraldCore", "HeraldTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                // MigrationChecksumTests pins the SHA-256 of every shipped schema step.
                .product(name: "Crypto", package: "swift-crypto"),
                // The same suite over the PostgreSQL store reads its databases directly.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "HeraldCarrierTests",
            dependencies: [
                "HeraldCarrier", "CarrierSimulator", "HeraldCore", "HeraldTestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "HeraldDaemonTests",
            dependencies: [
                "HeraldDaemon", "HeraldStore", "HeraldCarrier", "HeraldConfig", "CarrierSimulator", "HeraldCore", "HeraldControl",
                "HeraldTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                // The shared-queue tests produce and count on the PostgreSQL queue directly.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
        // `make install` and the installed unit under systemd-analyze; uses the built binaries.
        .testTarget(name: "PackagingTests"),
    ]
)
