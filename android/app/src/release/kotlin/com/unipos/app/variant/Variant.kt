package com.unipos.app.variant

import android.app.Application
import android.content.Context
import android.util.Log
import com.unipos.app.hardware.VendorHardware
import com.unipos.app.provisioning.Provisioning

/**
 * The release build, what goes onto a terminal: a vendor adapter (with its security module and
 * EMV kernel) is required, nothing is provisioned by default, and no software TMK exists. Nothing
 * simulated is compiled into it.
 */
object Variant : BuildVariant {
    override val name = "release"

    override fun onApplicationCreate(app: Application) {}

    override fun fallbackHardware(context: Context): VendorHardware? = null

    override val requiresVendorSecurityModule = true

    override fun defaultProvisioning(): Provisioning? = null

    override val softwareTmkHex: String? = null

    override fun onMainThreadViolation(what: String) {
        Log.w("unipos/strict", "$what on the main thread")
    }
}
