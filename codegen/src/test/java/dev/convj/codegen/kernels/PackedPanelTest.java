package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PackedPanelTest {

    @Test
    void uncheckedReadsAreOnByDefaultOnlyWhereTheJvmDoesNotWarnAboutThem() {
        assertTrue(PackedPanel.allowed(null, 17, null));
        assertTrue(PackedPanel.allowed(null, 21, null));
        assertFalse(PackedPanel.allowed(null, 24, null), "JDK 24 warns by default");
        assertFalse(PackedPanel.allowed(null, 25, "warn"));
        assertFalse(PackedPanel.allowed(null, 26, "deny"));
        assertTrue(PackedPanel.allowed(null, 25, "allow"), "--sun-misc-unsafe-memory-access=allow");
    }

    @Test
    void theUsersSettingWinsEitherWay() {
        assertFalse(PackedPanel.allowed("false", 17, null));
        assertFalse(PackedPanel.allowed("false", 25, "allow"));
        assertTrue(PackedPanel.allowed("true", 25, null), "asked for, warning and all");
        assertTrue(PackedPanel.allowed("", 17, null), "-Dconvj.uncheckedReads alone asks for it");
    }

    @Test
    void readsReturnTheElementAndTheRangeIsCheckedOnceUpFront() {
        float[] panel = {1f, 2f, 3f, 4f};
        long a = PackedPanel.address(panel, 1, 3);
        assertEquals(2f, PackedPanel.get(panel, a));
        assertEquals(4f, PackedPanel.get(panel, a + 2 * PackedPanel.FLOAT));
        assertThrows(IndexOutOfBoundsException.class, () -> PackedPanel.address(panel, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> PackedPanel.address(panel, -1, 1));
    }
}
