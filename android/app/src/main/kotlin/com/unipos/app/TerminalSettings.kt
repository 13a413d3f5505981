package com.unipos.app

import android.content.Context
import com.unipos.app.policy.AllowList
import com.unipos.core.ffi.HostEndpoint
import com.unipos.core.ffi.PosConfig

/**
 * The terminal's provisioning (written by the acquirer's TMS or the settings screen). Defaults fit
 * the emulator against `unipos host run --tcp 0.0.0.0:5000` on the workstation (10.0.2.2 is the
 * emulator's alias of the host's loopback) with the simulator's default terminal and test TMK.
 */
data class TerminalSettings(
    val pospAddress: String = "10.0.2.2:5000",
    val terminalId: String = "62969002",
    val merchantId: String = "301310048990001",
    val merchantName: String = "UNIPOS TEST MERCHANT",
    /** Software security module only (emulator / development); null on a terminal with a vendor PIN pad. */
    val softwareTmkHex: String? = "70F2A84CCBC2AE8625CBB0F2C22AB923",
    val responseTimeoutMs: Long = 60_000,
    /** `package=SHA256[,SHA256]` lines: the merchant apps allowed to call the payment service. */
    val allowList: String = "",
) {
    fun toPosConfig() = PosConfig(
        terminalId = terminalId,
        merchantId = merchantId,
        posp = HostEndpoint(pospAddress, null),
        merchantName = merchantName,
        responseTimeoutMs = responseTimeoutMs,
        softwareTmkHex = softwareTmkHex,
    )

    fun allowList(): AllowList = AllowList.parse(allowList)

    companion object {
        private const val PREFS = "unipos.settings"

        fun load(context: Context): TerminalSettings {
            val p = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)
            val d = TerminalSettings()
            return TerminalSettings(
                pospAddress = p.getString("posp", d.pospAddress) ?: d.pospAddress,
                terminalId = p.getString("terminalId", d.terminalId) ?: d.terminalId,
                merchantId = p.getString("merchantId", d.merchantId) ?: d.merchantId,
                merchantName = p.getString("merchantName", d.merchantName) ?: d.merchantName,
                softwareTmkHex = p.getString("softwareTmkHex", d.softwareTmkHex),
                responseTimeoutMs = p.getLong("responseTimeoutMs", d.responseTimeoutMs),
                allowList = p.getString("allowList", d.allowList) ?: d.allowList,
            )
        }

        fun save(context: Context, s: TerminalSettings) {
            context.getSharedPreferences(PREFS, Context.MODE_PRIVATE).edit()
                .putString("posp", s.pospAddress).putString("terminalId", s.terminalId)
                .putString("merchantId", s.merchantId).putString("merchantName", s.merchantName)
                .putString("softwareTmkHex", s.softwareTmkHex).putLong("responseTimeoutMs", s.responseTimeoutMs)
                .putString("allowList", s.allowList).commit()
        }
    }
}
