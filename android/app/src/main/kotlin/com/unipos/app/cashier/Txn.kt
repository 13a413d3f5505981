package com.unipos.app.cashier

import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.OriginalView
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.QrDynamicCode
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrRefundOutcome
import com.unipos.core.ffi.SettlementReport
import com.unipos.core.ffi.StartupReport
import com.unipos.sdk.ErrorCodes
import java.util.concurrent.atomic.AtomicLong
import kotlinx.coroutines.runBlocking

/** What the cashier asked for, ready to run at the desk. The engine checks every rule again. */
sealed class Txn {
    /** The amount the card prompt shows (null: none, e.g. a void shows the original's). */
    abstract val amount: Long?

    /**
     * What the supervisor authorises first. The screens ask for the password because the engine
     * refuses the call without the grant (1102), not instead of it.
     */
    open val guard: GuardedAction? = null

    data class Sale(override val amount: Long) : Txn()
    data class Void(val original: OriginalView) : Txn() {
        override val amount get() = original.outcome.approvedAmount
        override val guard get() = GuardedAction.VOID
    }
    data class Refund(val original: OriginalView, override val amount: Long) : Txn() {
        override val guard get() = GuardedAction.REFUND
    }
    data class PreAuth(override val amount: Long) : Txn()
    data class PreAuthVoid(val original: OriginalView) : Txn() {
        override val amount get() = original.outcome.approvedAmount
        override val guard get() = GuardedAction.PRE_AUTH_VOID
    }
    data class Completion(val original: OriginalView, override val amount: Long, val advice: Boolean) : Txn()
    data class CompletionVoid(val original: OriginalView) : Txn() {
        override val amount get() = original.outcome.approvedAmount
        override val guard get() = GuardedAction.COMPLETION_VOID
    }
    object Balance : Txn() { override val amount: Long? get() = null }
    data class QrScan(override val amount: Long) : Txn()
    data class QrShow(override val amount: Long) : Txn()
    data class QrRefund(val original: QrOutcome, override val amount: Long) : Txn() {
        override val guard get() = GuardedAction.REFUND
    }
}

/** What a transaction came to. */
sealed class TxnDone {
    data class Card(val outcome: Outcome) : TxnDone()
    data class Qr(val outcome: QrOutcome) : TxnDone()
    data class QrReturn(val outcome: QrRefundOutcome) : TxnDone()
    data class Settled(val report: SettlementReport) : TxnDone()
    data class SignedIn(val report: StartupReport) : TxnDone()
    /** Something the engine did that has no outcome of its own (sign-out, reversals sent). */
    object Done : TxnDone()
}

/** Request ids of the cashier's own requests: unique per process start and time. */
object RequestIds {
    private val seq = AtomicLong()
    fun next(): String = "desk-${System.currentTimeMillis()}-${seq.incrementAndGet()}"
}

/**
 * Runs [txn] with the core, on the worker (blocking). [grant] is the supervisor's token when the
 * transaction is guarded; [scan] reads the customer's payment code; [showCode] hands a dynamic
 * code to the screen before the wait for its payment starts.
 */
fun runTxn(
    core: PosCore,
    txn: Txn,
    grant: String?,
    scan: () -> String?,
    showCode: (QrDynamicCode, Long) -> Unit,
): PosResult<TxnDone> = runBlocking {
    val d = core.desk
    val id = RequestIds.next()
    val g = grant.orEmpty()
    fun card(r: PosResult<Outcome>) = r.map<TxnDone> { TxnDone.Card(it) }
    when (txn) {
        is Txn.Sale -> card(d.sale(id, txn.amount))
        is Txn.Void -> card(d.void(id, txn.original.outcome.trace, g))
        is Txn.Refund -> card(d.refund(id, txn.amount, txn.original.outcome.rrn.orEmpty(), txn.original.outcome.date, g))
        is Txn.PreAuth -> card(d.preAuth(id, txn.amount))
        is Txn.PreAuthVoid -> card(d.preAuthVoid(id, txn.original.outcome.authCode.orEmpty(), txn.original.outcome.date, g))
        is Txn.Completion -> card(d.completion(id, txn.amount, txn.original.outcome.authCode.orEmpty(), txn.original.outcome.date, txn.advice))
        is Txn.CompletionVoid -> card(d.completionVoid(id, txn.original.outcome.trace, g))
        is Txn.Balance -> card(d.balanceInquiry(id))
        is Txn.QrScan -> {
            val code = scan() ?: return@runBlocking PosResult.Failure(ErrorCodes.CANCELLED, "no payment code scanned")
            d.qrPay(id, txn.amount, code).map { TxnDone.Qr(it) }
        }
        is Txn.QrShow -> when (val created = d.qrOrderCreate(id, txn.amount)) {
            is PosResult.Failure -> created
            is PosResult.Success -> {
                showCode(created.value, d.qrDynamicDeadlineMs)
                d.qrOrderWait(id).map { TxnDone.Qr(it) }
            }
        }
        is Txn.QrRefund -> d.qrRefund(id, txn.original.requestId, txn.amount, g).map { TxnDone.QrReturn(it) }
    }
}
