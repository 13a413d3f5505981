package com.unipos.app.variant

import android.app.Application
import android.content.Context
import android.os.StrictMode
import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.hardware.VendorHardware
import com.unipos.app.provisioning.Field
import com.unipos.app.provisioning.Provisioning

/**
 * The debug (emulator) build: simulated devices, the host simulator's defaults, its test TMK in
 * the software security module, and StrictMode that kills the process on disk or network work on
 * the main thread.
 */
object Variant : BuildVariant {
    override val name = "debug"

    override fun onApplicationCreate(app: Application) {
        StrictMode.setThreadPolicy(
            StrictMode.ThreadPolicy.Builder().detectDiskReads().detectDiskWrites().detectNetwork()
                .penaltyLog().penaltyDeath().build(),
        )
    }

    override fun fallbackHardware(context: Context): VendorHardware = SimulatedHardware()

    override val requiresVendorSecurityModule = false

    /**
     * The emulator against `unipos host run --tcp 0.0.0.0:5000` on the workstation (10.0.2.2 is the
     * emulator's alias of the host's loopback) with the simulator's default terminal.
     */
    override fun defaultProvisioning() = Provisioning.of(
        Field.POSP_ADDRESSES to "10.0.2.2:5000",
        Field.TERMINAL_ID to "62969002",
        Field.MERCHANT_ID to "301310048990001",
        Field.MERCHANT_NAME to "UNIPOS TEST MERCHANT",
        // The simulator's test QR key under the test TMK (unipos-hostsim defaults::QR_KEY_UNDER_TMK_HEX).
        Field.QR_KEY to "59A4FA02D6BBEFD08ABABB0E18D2D979:7CC721BA",
    )

    /** The host simulator's public test TMK (unipos-hostsim `defaults::TMK_HEX`). */
    override val softwareTmkHex: String = "70F2A84CCBC2AE8625CBB0F2C22AB923"

    override fun onMainThreadViolation(what: String) {
        // penaltyDeath's equivalent for what StrictMode cannot see (native disk and network).
        throw IllegalStateException("StrictMode (unipos): $what on the main thread")
    }
}
