package com.unipos.app.txn

import com.unipos.core.PosResult
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.SettlementReport
import com.unipos.core.ffi.StartupReport
import java.security.MessageDigest

/**
 * The engine's request ids. Callers' ids are scoped per app (two apps may both use "order-1"), and
 * the engine knows one flat namespace of at most 64 characters, so the engine id is a short tag of
 * the scope plus the caller's id, hashed when the two would not fit. Deterministic: it can be
 * recomputed after a restart without any lookup table.
 */
object EngineIds {
    private const val MAX = 64

    fun of(scope: String, requestId: String): String {
        val tag = if (scope == "pos") "pos" else "x" + sha256Hex(scope).take(6)
        val plain = "$tag.$requestId"
        return if (plain.length <= MAX) plain else "$tag.h" + sha256Hex(requestId).take(MAX - tag.length - 2)
    }

    fun sha256Hex(s: String): String =
        MessageDigest.getInstance("SHA-256").digest(s.toByteArray()).joinToString("") { "%02x".format(it) }
}

/** What the engine is asked to do; produced by [RequestMapper] from a validated request. */
sealed class CoreCommand {
    abstract val engineId: String

    /** [payMethod] is a [com.unipos.sdk.PayMethod]; CHOOSE is resolved by the cashier at run time. */
    data class Sale(override val engineId: String, val amount: Long, val payMethod: Int) : CoreCommand()
    data class Void(override val engineId: String, val trace: Int) : CoreCommand()
    data class Refund(override val engineId: String, val amount: Long, val rrn: String, val date: String) : CoreCommand()
    data class PreAuth(override val engineId: String, val amount: Long) : CoreCommand()
    data class PreAuthVoid(override val engineId: String, val authCode: String, val date: String) : CoreCommand()
    data class Completion(override val engineId: String, val amount: Long, val authCode: String, val date: String) : CoreCommand()
    data class CompletionVoid(override val engineId: String, val trace: Int) : CoreCommand()
    data class Balance(override val engineId: String) : CoreCommand()
    data class Settle(override val engineId: String) : CoreCommand()
    data class SignIn(override val engineId: String) : CoreCommand()
    /** [trace] null: the last transaction. */
    data class Reprint(override val engineId: String, val trace: Int?) : CoreCommand()
}

/** What the engine answered, before it is turned into the contract's [com.unipos.sdk.TransResult]. */
sealed class EngineResult {
    data class Txn(val outcome: Outcome) : EngineResult()
    data class Qr(val outcome: QrOutcome) : EngineResult()
    data class Settled(val report: SettlementReport) : EngineResult()
    data class SignedIn(val report: StartupReport) : EngineResult()
    data class Reprinted(val lines: List<String>) : EngineResult()
    data class Failed(val failure: PosResult.Failure) : EngineResult()
}
