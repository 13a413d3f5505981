package com.unipos.app.variant

import android.app.Application
import android.content.Context
import com.unipos.app.hardware.VendorHardware
import com.unipos.app.provisioning.Provisioning

/**
 * What differs between the two builds. Implemented once per build type by `object Variant` in
 * `src/debug/kotlin` (emulator: simulated devices, the host simulator's defaults and test TMK,
 * StrictMode) and `src/release/kotlin` (a terminal: vendor adapter required, no defaults, never a
 * software TMK). Main code reaches it only through [current].
 */
interface BuildVariant {
    /** "debug" or "release". */
    val name: String

    /** First thing in Application.onCreate (debug: StrictMode with penaltyDeath). */
    fun onApplicationCreate(app: Application)

    /** The devices when no vendor adapter is registered: the simulator (debug) or none (release). */
    fun fallbackHardware(context: Context): VendorHardware?

    /** The release build accepts only a vendor adapter with its own security module and EMV kernel. */
    val requiresVendorSecurityModule: Boolean

    /** Settings when nothing was provisioned: the emulator against the host simulator (debug), none (release). */
    fun defaultProvisioning(): Provisioning?

    /**
     * The TMK injected into the core's software security module (kept there encrypted, never in
     * the app's preferences): the host simulator's public test TMK (debug), null (release: never).
     */
    val softwareTmkHex: String?

    /** An engine call on the main thread (disk and network in native code StrictMode cannot see). */
    fun onMainThreadViolation(what: String)

    companion object {
        /** The build's variant (the `Variant` object of src/debug or src/release). */
        val current: BuildVariant get() = Variant
    }
}
