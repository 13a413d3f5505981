package com.unipos.app

import com.unipos.app.policy.AllowList
import com.unipos.app.provisioning.AcquirerProfile
import com.unipos.core.ffi.PosConfig

/**
 * The settings in force: the validated acquirer profile (null: not provisioned) and, in the debug
 * build only, the test TMK for the core's software security module (injected there, kept there
 * encrypted; never stored by the app). Built by provisioning (`provisioning/`), never edited field
 * by field.
 */
data class TerminalSettings(
    val profile: AcquirerProfile?,
    val softwareTmkHex: String? = null,
) {
    fun toPosConfig(): PosConfig? = profile?.toPosConfig(softwareTmkHex)

    /** The merchant apps allowed to call the payment service (`package=SHA256[,SHA256]` lines). */
    fun allowList(): AllowList = AllowList.parse(profile?.allowedCallers.orEmpty())
}
