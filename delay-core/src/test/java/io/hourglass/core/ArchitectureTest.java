package io.hourglass.core;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** delay-core stays free of Spring, drivers and infrastructure clients; only the clock reads the wall time. */
@AnalyzeClasses(packages = "io.hourglass.core", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noSpringNoDrivers = noClasses().that().resideInAPackage("io.hourglass.core..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.springframework..", "java.sql..", "javax.sql..", "org.apache.ibatis..", "org.mybatis..",
                    "org.apache.kafka..", "com.datastax..", "io.etcd..", "org.apache.curator..",
                    "org.apache.zookeeper..", "org.apache.dubbo..", "org.redisson..", "org.quartz..",
                    "io.hourglass.store..", "io.hourglass.message..", "io.hourglass.exporter..",
                    "io.hourglass.protocol..", "io.hourglass.bootstrap..", "com.fasterxml..");

    @ArchTest
    static final ArchRule onlyTheClockReadsWallTime = noClasses().that().resideInAPackage("io.hourglass.core..")
            .and().doNotHaveSimpleName("SystemDelayClock")
            .should().callMethod(System.class, "currentTimeMillis");
}
