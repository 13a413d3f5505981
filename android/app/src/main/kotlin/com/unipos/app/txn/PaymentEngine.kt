package com.unipos.app.txn

import com.unipos.app.policy.AppCaller
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.FlushReport
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.ProgressEvent
import com.unipos.core.ffi.SettlementReport
import com.unipos.sdk.ErrorCodes

/** What the periodic maintenance did: the flush, and the settlement if one was due. */
data class MaintenanceReport(val flush: FlushReport, val settlement: SettlementReport?)

/**
 * What a merchant app added to a request: its order number, the receipt remark, who prints, and
 * how long the terminal waits for the customer's card or payment code ([waitMs], its
 * `cardWaitSeconds`; null = the device's own wait).
 */
data class RequestExtras(val orderNo: String?, val remark: String?, val printMode: Int, val waitMs: Long? = null)

/** The merchant and terminal numbers (fields 42 / 41) results carry. */
data class TerminalIdentity(val merchantId: String, val terminalId: String)

/**
 * The payment core as the dispatcher needs it. [run], [startup], [maintenance], [flush], [journal]
 * and [unresolved] block and are called on the dispatcher's single worker thread only. [known] and
 * the queries read the journal through the core's read-only connection: any thread, never waiting
 * for a running transaction. [cancelWait]: any thread, at any time.
 *
 * The core is the only registry of request ids: every request is stored in the caller's scope
 * before anything is sent, and a repeat is answered from there.
 */
interface PaymentEngine {
    /**
     * Makes the terminal ready at process start: sign-in and the flush of pending reversals and
     * advices (the full startup only when no earlier startup stored the downloads).
     */
    fun startup(): EngineResult

    /** The periodic job's work: pending reversals and advices, then automatic settlement when due. */
    fun maintenance(): PosResult<MaintenanceReport> =
        PosResult.Failure(ErrorCodes.UNSUPPORTED_TRANSACTION, "no maintenance in this engine")

    /** Pending reversals, advices and open QR work now (an UNKNOWN outcome is resolved here). */
    fun flush(): PosResult<FlushReport> = PosResult.Failure(ErrorCodes.UNSUPPORTED_TRANSACTION, "no flush in this engine")

    /** Releases the engine (closes the core). */
    fun close() {}

    fun run(caller: AppCaller, command: CoreCommand, fields: RequestExtras): EngineResult

    /** Whether the journal knows [command] of [caller] already: new, a repeat, or refused (1004...). */
    fun known(caller: AppCaller, command: CoreCommand, orderNo: String?): Known

    /** The stored outcome of [requestId] in [caller]'s scope, or null if it never used it. */
    fun query(caller: AppCaller, requestId: String): Outcome?

    /** The caller's last request (the terminal's last for a caller granted `query`). */
    fun queryLast(caller: AppCaller): Outcome?

    /** The newest request of [caller] that carried its order number [orderNo]. */
    fun queryByOrderNo(caller: AppCaller, orderNo: String): Outcome?

    /** The merchant and terminal numbers, when configured. */
    fun identity(): TerminalIdentity? = null

    /** Newest first: what the transaction list shows (masked PANs only). */
    fun journal(limit: Int): List<Outcome>

    /**
     * What must be resolved or shown before a new sale: lost answers whose reversal is pending or
     * was given up on (parked), and QR orders whose outcome is still open.
     */
    fun unresolved(): List<Outcome>

    fun cancelWait()

    /**
     * The core itself, for the cashier's desk ([PosCore.desk]) on the dispatcher's worker; the
     * failure that keeps the terminal closed otherwise (not provisioned, no vendor hardware).
     */
    fun openCore(): PosResult<PosCore> =
        PosResult.Failure(ErrorCodes.UNSUPPORTED_TRANSACTION, "no payment core in this engine")

    fun setProgressListener(listener: ((ProgressEvent) -> Unit)?)

    /** Called when a dynamic QR code must be shown to the customer (QR_SHOW sales). */
    fun setQrCodeListener(listener: ((requestId: String, codeUrl: String, png: ByteArray) -> Unit)?)

    /** Who asks the cashier how a CHOOSE sale is paid, before the vendor's own chooser. */
    fun setPayMethodChooser(chooser: PayMethodChooser?) {}

    /**
     * Told when a step of the app's own (not the core's) begins that the caller should see as a
     * [com.unipos.sdk.ProgressStage]: the scanner waiting for the customer's payment code.
     */
    fun setStageListener(listener: ((requestId: String, stage: Int) -> Unit)?) {}
}

/** Asks the cashier on a screen how a CHOOSE sale is paid (blocking, on the dispatcher's worker). */
fun interface PayMethodChooser {
    /** null: no screen asks (the vendor hardware's chooser does); else the answer. */
    fun choose(requestId: String, amountFen: Long): PayChoice?
}

/** The cashier's answer: a [com.unipos.sdk.PayMethod], or null when the cashier cancelled. */
data class PayChoice(val method: Int?)
