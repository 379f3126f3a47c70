package dev.rewind.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The framework's boundary, checked on its compiled classes: the API ({@code dev.rewind},
 * {@code annotation}, {@code command}, {@code serialization}), the SPI ({@code spi..}) and the storages
 * ({@code storage..}) never reach into {@code internal}; only the entry point {@link dev.rewind.Rewind}
 * wires the internals together. A class in {@code internal} may be public (its sub-packages use one
 * another), so this test, not the {@code public} modifier, is what keeps applications and backends off it.
 */
class BoundaryTest {
    private static JavaClasses framework;

    @BeforeAll
    static void importTheFramework() {
        framework = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.rewind");
    }

    @Test
    void the_spi_does_not_depend_on_internal() {
        check(noClasses().that().resideInAPackage("dev.rewind.spi..")
                .should().dependOnClassesThat().resideInAPackage("dev.rewind.internal.."));
    }

    @Test
    void the_storages_do_not_depend_on_internal() {
        check(noClasses().that().resideInAPackage("dev.rewind.storage..")
                .should().dependOnClassesThat().resideInAPackage("dev.rewind.internal.."));
    }

    @Test
    void nothing_outside_internal_but_the_entry_point_depends_on_internal() {
        check(noClasses().that().resideOutsideOfPackage("dev.rewind.internal..")
                .and().doNotHaveFullyQualifiedName("dev.rewind.Rewind")
                .and().doNotHaveFullyQualifiedName("dev.rewind.Rewind$Builder")
                .should().dependOnClassesThat().resideInAPackage("dev.rewind.internal.."));
    }

    @Test
    void the_spi_does_not_depend_on_the_storages() {
        check(noClasses().that().resideInAPackage("dev.rewind.spi..")
                .should().dependOnClassesThat().resideInAPackage("dev.rewind.storage..")
                .because("a backend author reads the port without the built-in backends"));
    }

    private static void check(ArchRule rule) {
        rule.check(framework);
    }
}
