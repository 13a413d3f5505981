package com.unipos.app.hardware

import com.unipos.core.Devices

/**
 * The terminal's devices as a vendor adapter (Sunmi PayHardwareService, PAX NeptuneLite, ...)
 * provides them: security module, EMV kernel, card reader, PIN pad, printer ([devices]) and
 * scanner ([scanPaymentCode]). Card data flows into the core only; the PIN never leaves the vendor
 * PIN pad in clear (it returns a block encrypted under the PIK). Only the debug build's simulated
 * devices hand over a clear PIN, and the core accepts that only with its software security module.
 * The release build requires [Devices.securityModule] and [Devices.emvKernel] (see
 * [HardwareRegistry]); a vendor port makes its adapter known through a [VendorHardwareFactory].
 */
interface VendorHardware {
    /** Shown on the settings screen and in logs. */
    val name: String

    /** Card reader, PIN pad, printer, EMV kernel and security module for the core. */
    fun devices(): Devices

    /**
     * The customer's payment code from the scanner or camera (blocking, on the dispatcher's
     * worker); null = cancelled ([cancelScan]) or nothing scanned within [timeoutMs].
     */
    fun scanPaymentCode(timeoutMs: Long): String?

    /**
     * Ends a running [scanPaymentCode] at once (it returns null): any thread. A scanner that cannot
     * be stopped ignores it; a code it still returns after a cancel is not used.
     */
    fun cancelScan() {}

    /** The cashier picks card or QR for a CHOOSE sale (blocking; [com.unipos.sdk.PayMethod]); null = cancelled. */
    fun choosePayMethod(amountFen: Long): Int?

    /** Only the debug build's simulated devices have one (the "present test card" button). */
    val testCards: TestCardPresenter? get() = null
}

/** Presents the simulator's test card (debug build only). */
interface TestCardPresenter {
    fun presentTestCard()
}
