package com.unipos.app.txn

import com.unipos.app.hardware.VendorHardware
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.KeyWrapper
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.PosConfig
import com.unipos.core.ffi.ProgressEvent
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import kotlinx.coroutines.runBlocking

/**
 * [PaymentEngine] over the Kotlin core wrapper (android/core -> libunipos.so). The core is opened
 * lazily on the dispatcher's worker (opening the journal is disk I/O), and a transaction on a
 * terminal that is not signed in runs the startup first (a boot-time startup may have failed
 * because the network was not up yet).
 */
class CoreEngine(
    private val config: PosConfig,
    private val dbPath: String,
    private val hardware: VendorHardware,
    private val keyWrapper: KeyWrapper,
    /** Keeps the last receipts the core printed, for the cashier's receipt preview. */
    private val receipts: com.unipos.app.cashier.ReceiptTap = com.unipos.app.cashier.ReceiptTap(),
) : PaymentEngine, AutoCloseable {
    @Volatile private var core: PosCore? = null
    @Volatile private var progress: ((ProgressEvent) -> Unit)? = null
    @Volatile private var qrCode: ((String, String, ByteArray) -> Unit)? = null

    private fun core(): PosCore = core ?: synchronized(this) {
        core ?: PosCore.open(config, dbPath, receipts.wrap(hardware.devices()), keyWrapper).getOrThrow().also { c ->
            c.setProgressListener { e -> progress?.invoke(e) }
            core = c
        }
    }

    /** Opening failures (bad configuration, unreadable journal) become results, not crashes. */
    private fun <T> withCore(block: (PosCore) -> PosResult<T>): PosResult<T> = try {
        block(core())
    } catch (e: IllegalStateException) {
        PosResult.Failure(ErrorCodes.CONFIGURATION_ERROR, e.message ?: "cannot open the terminal", e)
    }

    /** Opens the core now (a new configuration is checked before it replaces the old one). */
    fun open(): PosResult<Unit> = withCore { PosResult.Success(Unit) }

    /** Process start: resume (sign-in and flush; everything only if never started up before). */
    override fun startup(): EngineResult = result(withCore { runBlocking { it.resume() } }) { EngineResult.SignedIn(it) }

    override fun maintenance(): PosResult<MaintenanceReport> = withCore { c ->
        runBlocking {
            if (!c.isReady) {
                val ready = c.resume()
                if (ready is PosResult.Failure) return@runBlocking ready
            }
            when (val flush = c.flushPending()) {
                is PosResult.Failure -> flush
                is PosResult.Success -> c.settleIfDue().map { MaintenanceReport(flush.value, it) }
            }
        }
    }

    override fun run(command: CoreCommand): EngineResult {
        if (command !is CoreCommand.SignIn) {
            val ready = withCore { PosResult.Success(it.isReady) }
            if (ready is PosResult.Failure) return EngineResult.Failed(ready)
            if (ready.getOrNull() == false) {
                val s = startup()
                if (s is EngineResult.Failed) return s
            }
        }
        val c = core()
        return runBlocking {
            when (command) {
                is CoreCommand.Sale -> sale(c, command)
                is CoreCommand.Void -> txn(c.void(command.engineId, command.trace))
                is CoreCommand.Refund -> txn(c.refund(command.engineId, command.amount, command.rrn, command.date))
                is CoreCommand.PreAuth -> txn(c.preAuth(command.engineId, command.amount))
                is CoreCommand.PreAuthVoid -> txn(c.preAuthVoid(command.engineId, command.authCode, command.date))
                is CoreCommand.Completion -> txn(c.completion(command.engineId, command.amount, command.authCode, command.date))
                is CoreCommand.CompletionVoid -> txn(c.completionVoid(command.engineId, command.trace))
                is CoreCommand.Balance -> txn(c.balanceInquiry(command.engineId))
                is CoreCommand.Settle -> result(c.settle()) { EngineResult.Settled(it) }
                is CoreCommand.SignIn -> result(c.startup()) { EngineResult.SignedIn(it) }
                is CoreCommand.Reprint -> result(c.reprint(command.trace)) { EngineResult.Reprinted(it) }
            }
        }
    }

    private suspend fun sale(c: PosCore, s: CoreCommand.Sale): EngineResult {
        val method: Int? = if (s.payMethod == PayMethod.CHOOSE) hardware.choosePayMethod(s.amount) else s.payMethod
        return when (method) {
            PayMethod.CARD -> txn(c.sale(s.engineId, s.amount))
            PayMethod.QR_SCAN -> {
                val code = hardware.scanPaymentCode(QR_SCAN_WAIT_MS) ?: return cancelled()
                result(c.qrPay(s.engineId, s.engineId, s.amount, code)) { EngineResult.Qr(it) }
            }
            PayMethod.QR_SHOW -> when (val created = c.qrOrderCreate(s.engineId, s.engineId, s.amount)) {
                is PosResult.Failure -> EngineResult.Failed(created)
                is PosResult.Success -> {
                    qrCode?.invoke(s.engineId, created.value.codeUrl, created.value.png)
                    result(c.qrOrderWait(s.engineId)) { EngineResult.Qr(it) }
                }
            }
            null -> cancelled()
            else -> EngineResult.Failed(PosResult.Failure(ErrorCodes.UNSUPPORTED_TRANSACTION, "pay method $method"))
        }
    }

    private fun cancelled() = EngineResult.Failed(PosResult.Failure(ErrorCodes.CANCELLED, "cancelled by the cashier"))

    override fun lookup(engineId: String): Outcome? = withCore { runBlocking { it.query(engineId) } }.getOrNull()

    override fun journal(limit: Int): List<Outcome> = withCore { runBlocking { it.journal(limit) } }.getOrNull().orEmpty()

    override fun unresolved(): List<Outcome> = withCore { core ->
        runBlocking {
            val parked = core.parkedReversals().getOrNull().orEmpty()
            val open = core.journal(200).getOrNull().orEmpty()
                .filter { it.status == OutcomeStatus.REVERSAL_PENDING || it.status == OutcomeStatus.IN_PROGRESS }
            val qrOpen = core.qrPendingResults().getOrNull().orEmpty().map { it.requestId }
                .mapNotNull { id -> core.query(id).getOrNull() }
            PosResult.Success((open + parked + qrOpen).distinctBy { it.requestId })
        }
    }.getOrNull().orEmpty()

    override fun openCore(): PosResult<PosCore> = withCore { PosResult.Success(it) }

    override fun cancelCardWait() { core?.cancelCardWait() }

    override fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) { progress = listener }

    override fun setQrCodeListener(listener: ((String, String, ByteArray) -> Unit)?) { qrCode = listener }

    override fun close() { core?.close(); core = null }

    private companion object {
        const val QR_SCAN_WAIT_MS = 60_000L
    }

    private fun txn(r: PosResult<Outcome>) = result(r) { EngineResult.Txn(it) }

    private inline fun <T> result(r: PosResult<T>, ok: (T) -> EngineResult): EngineResult = when (r) {
        is PosResult.Success -> ok(r.value)
        is PosResult.Failure -> EngineResult.Failed(r)
    }
}
