package com.unipos.app.txn

import com.unipos.core.PosResult
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrRefundOutcome
import com.unipos.core.ffi.SettlementReport
import com.unipos.core.ffi.StartupReport

/**
 * What the engine is asked to do; produced by [RequestMapper] from a validated request. The request
 * id is the caller's own: the core keeps it in the caller's scope (no prefixes, no second registry).
 */
sealed class CoreCommand {
    abstract val requestId: String

    /**
     * [payMethod] is a [com.unipos.sdk.PayMethod]; CHOOSE is resolved by the cashier at run time.
     * [paymentCode]: the customer's code scanned by the merchant app itself (QR_SCAN), else null.
     */
    data class Sale(override val requestId: String, val amount: Long, val payMethod: Int, val paymentCode: String? = null) : CoreCommand() {
        override fun toString() = "Sale($requestId, $amount, $payMethod, code=${if (paymentCode != null) "given" else "-"})"
    }
    data class Void(override val requestId: String, val trace: Int) : CoreCommand()
    data class Refund(override val requestId: String, val amount: Long, val rrn: String, val date: String) : CoreCommand()
    /** A QR refund ([amount] set) or same-day void ([amount] null) of [original] (request id or QR order number). */
    data class QrRefund(override val requestId: String, val original: String, val amount: Long?) : CoreCommand()
    data class PreAuth(override val requestId: String, val amount: Long) : CoreCommand()
    data class PreAuthVoid(override val requestId: String, val authCode: String, val date: String) : CoreCommand()
    data class Completion(override val requestId: String, val amount: Long, val authCode: String, val date: String) : CoreCommand()
    data class CompletionVoid(override val requestId: String, val trace: Int) : CoreCommand()
    data class Balance(override val requestId: String) : CoreCommand()
    data class Settle(override val requestId: String) : CoreCommand()
    data class SignIn(override val requestId: String) : CoreCommand()
    /** Both null: the caller's last transaction. */
    data class Reprint(override val requestId: String, val originalRequestId: String?, val trace: Int?) : CoreCommand()
}

/** What the engine answered, before it is turned into the contract's [com.unipos.sdk.TransResult]. */
sealed class EngineResult {
    data class Txn(val outcome: Outcome) : EngineResult()
    data class Qr(val outcome: QrOutcome) : EngineResult()
    data class QrRefund(val outcome: QrRefundOutcome) : EngineResult()
    data class Settled(val report: SettlementReport) : EngineResult()
    data class SignedIn(val report: StartupReport) : EngineResult()
    data class Reprinted(val lines: List<String>) : EngineResult()
    data class Failed(val failure: PosResult.Failure) : EngineResult()
}

/** What the journal already knows of a request, asked before it is queued. */
sealed class Known {
    object New : Known()
    /** The same request was made before: its stored outcome. */
    data class Repeat(val outcome: Outcome) : Known()
    /** The id cannot be served: conflict (1004) or another refusal; nothing was started. */
    data class Refused(val failure: PosResult.Failure) : Known()
}
