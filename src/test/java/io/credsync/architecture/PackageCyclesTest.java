package io.credsync.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Keeps the top-level packages free of cycles, so that each can be read, tested and changed with
 * only the packages below it in mind (each {@code package-info.java} says which those are).
 * Production classes only: a test may reach across packages to set a scene.
 */
@AnalyzeClasses(packages = "io.credsync", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

    @ArchTest
    static final ArchRule topLevelPackagesShouldBeFreeOfCycles =
            slices().matching("io.credsync.(*)..").should().beFreeOfCycles();
}
