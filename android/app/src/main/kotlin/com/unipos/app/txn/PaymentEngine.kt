package com.unipos.app.txn

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
 * The payment core as the dispatcher needs it. Every method blocks and is called on the
 * dispatcher's single worker thread only (the core serialises calls anyway; doing it on one thread
 * keeps binder threads from ever waiting for a card or the host). [cancelCardWait] is the exception:
 * any thread, at any time.
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

    /** Releases the engine (closes the core). */
    fun close() {}

    fun run(command: CoreCommand): EngineResult

    /** The engine's stored outcome of [engineId], or null if it never saw it. */
    fun lookup(engineId: String): Outcome?

    /** Newest first: what the transaction list shows (masked PANs only). */
    fun journal(limit: Int): List<Outcome>

    /**
     * What must be resolved or shown before a new sale: lost answers whose reversal is pending or
     * was given up on (parked), and QR orders whose outcome is still open.
     */
    fun unresolved(): List<Outcome>

    fun cancelCardWait()

    /**
     * The core itself, for the cashier's desk ([PosCore.desk]) on the dispatcher's worker; the
     * failure that keeps the terminal closed otherwise (not provisioned, no vendor hardware).
     */
    fun openCore(): PosResult<PosCore> =
        PosResult.Failure(ErrorCodes.UNSUPPORTED_TRANSACTION, "no payment core in this engine")

    fun setProgressListener(listener: ((ProgressEvent) -> Unit)?)

    /** Called when a dynamic QR code must be shown to the customer (QR_SHOW sales). */
    fun setQrCodeListener(listener: ((engineId: String, codeUrl: String, png: ByteArray) -> Unit)?)
}
