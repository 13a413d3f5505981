package com.unipos.app.txn

import com.unipos.app.hardware.VendorHardware
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.KeyWrapper
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.PosConfig
import com.unipos.core.ffi.ProgressEvent
import com.unipos.app.policy.AppCaller
import com.unipos.core.ffi.CallerScope
import com.unipos.core.ffi.CallerSession
import com.unipos.core.ffi.FlushReport
import com.unipos.core.ffi.KnownRequest
import com.unipos.core.ffi.MerchantFields
import com.unipos.core.ffi.PrintMode
import com.unipos.core.ffi.QrOrderRequest
import com.unipos.core.ffi.QrPayRequest
import com.unipos.core.ffi.SaleRequest
import com.unipos.core.ffi.ScopedAnswer
import com.unipos.core.ffi.ScopedRequest
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import com.unipos.sdk.ProgressStage
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
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
    @Volatile private var chooser: PayMethodChooser? = null
    @Volatile private var stages: ((String, Int) -> Unit)? = null
    /** A cancel came while the scanner waited (reset when a scan starts). */
    @Volatile private var scanCancelled = false
    /** The running request's own limit on the wait for the card, when it set one. */
    @Volatile private var cardWait: CardWaitLimit? = null
    private val timers = Executors.newSingleThreadScheduledExecutor { r -> Thread(r, "unipos-card-wait").apply { isDaemon = true } }

    private fun core(): PosCore = core ?: synchronized(this) {
        core ?: PosCore.open(config, dbPath, receipts.wrap(hardware.devices()), keyWrapper).getOrThrow().also { c ->
            c.setProgressListener { e ->
                cardWait?.onEvent(e is ProgressEvent.WaitingForCard)
                progress?.invoke(e)
            }
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

    override fun flush(): PosResult<FlushReport> = withCore { c -> runBlocking { c.flushPending() } }

    /** The core's session of [caller]: its scope and capabilities, enforced in Rust. */
    private fun session(c: PosCore, caller: AppCaller): PosResult<CallerSession> =
        if (caller.isCashier) PosResult.Success(c.cashierSession())
        else c.forCaller(CallerScope(caller.scope, caller.capabilities.toList()))

    override fun run(caller: AppCaller, command: CoreCommand, fields: RequestExtras): EngineResult {
        val limit = fields.waitMs?.let { CardWaitLimit(it, timers) { core?.cancelWait() } }
        cardWait = limit
        val result = try { runCommand(caller, command, fields) } finally {
            limit?.end()
            cardWait = null
        }
        // The cancel the merchant app's own card wait caused is the timeout it was.
        return if (limit?.timedOut == true && result is EngineResult.Failed && result.failure.code == ErrorCodes.CANCELLED) {
            EngineResult.Failed(PosResult.Failure(ErrorCodes.CARD_WAIT_TIMEOUT, "no card presented within ${limit.limitMs / 1000} s"))
        } else result
    }

    private fun runCommand(caller: AppCaller, command: CoreCommand, fields: RequestExtras): EngineResult {
        if (command !is CoreCommand.SignIn) {
            val ready = withCore { PosResult.Success(it.isReady) }
            if (ready is PosResult.Failure) return EngineResult.Failed(ready)
            if (ready.getOrNull() == false) {
                val s = startup()
                if (s is EngineResult.Failed) return s
            }
        }
        val c = core()
        val session = when (val s = session(c, caller)) {
            is PosResult.Failure -> return EngineResult.Failed(s)
            is PosResult.Success -> s.value
        }
        val merchant = MerchantFields(fields.orderNo, fields.remark, printModeOf(fields.printMode))
        return session.use {
            runBlocking {
                if (command is CoreCommand.Sale) sale(c, session, command, merchant, fields)
                else when (val request = ScopedRequests.of(command)) {
                    null -> EngineResult.Failed(PosResult.Failure(ErrorCodes.UNSUPPORTED_TRANSACTION, "not a scoped request"))
                    else -> answer(c.serve(session, request, merchant))
                }
            }
        }
    }

    override fun known(caller: AppCaller, command: CoreCommand, orderNo: String?): Known {
        val probes = if (command is CoreCommand.Sale) ScopedRequests.saleForms(command, orderNo) else listOfNotNull(ScopedRequests.of(command))
        if (probes.isEmpty()) return Known.New
        val c = try { core() } catch (e: IllegalStateException) { return Known.New }
        val session = when (val s = session(c, caller)) {
            is PosResult.Failure -> return Known.Refused(s)
            is PosResult.Success -> s.value
        }
        session.use {
            var refused: Known = Known.New
            for (probe in probes) {
                when (val r = PosResult.catching { session.known(probe) }) {
                    is PosResult.Failure -> refused = Known.Refused(r)   // another form may match (a CHOOSE sale)
                    is PosResult.Success -> return when (val k = r.value) {
                        is KnownRequest.New -> Known.New
                        is KnownRequest.Repeat -> Known.Repeat(k.outcome)
                    }
                }
            }
            return refused
        }
    }

    override fun query(caller: AppCaller, requestId: String): Outcome? = read(caller) { it.query(requestId) }

    override fun queryLast(caller: AppCaller): Outcome? = read(caller) { it.queryLast() }

    override fun queryByOrderNo(caller: AppCaller, orderNo: String): Outcome? = read(caller) { it.queryByOrderNo(orderNo) }

    /** A journal read in [caller]'s session (closed after use); null when unknown or on failure. */
    private fun <T> read(caller: AppCaller, block: (CallerSession) -> T?): T? = withCore { c ->
        when (val s = session(c, caller)) {
            is PosResult.Failure -> s
            is PosResult.Success -> s.value.use { session -> PosResult.catching { block(session) } }
        }
    }.getOrNull()

    override fun identity() = TerminalIdentity(config.merchantId, config.terminalId)

    private suspend fun sale(c: PosCore, session: CallerSession, s: CoreCommand.Sale, merchant: MerchantFields, fields: RequestExtras): EngineResult {
        val method: Int? = when {
            s.paymentCode != null -> PayMethod.QR_SCAN
            // A screen showing this request asks the cashier; without one, the vendor's chooser.
            s.payMethod == PayMethod.CHOOSE -> chooser?.choose(s.requestId, s.amount).let { onScreen ->
                if (onScreen != null) onScreen.method else hardware.choosePayMethod(s.amount)
            }
            else -> s.payMethod
        }
        val order = ScopedRequests.businessOrder(s, fields.orderNo)
        return when (method) {
            PayMethod.CARD -> answer(c.serve(session, ScopedRequest.Sale(SaleRequest(s.requestId, s.amount)), merchant))
            PayMethod.QR_SCAN -> {
                val code = s.paymentCode ?: when (val scanned = scanCode(s.requestId, fields.waitMs ?: QR_SCAN_WAIT_MS)) {
                    is PosResult.Failure -> return EngineResult.Failed(scanned)
                    is PosResult.Success -> scanned.value
                }
                answer(c.serve(session, ScopedRequest.QrPay(QrPayRequest(s.requestId, order, s.amount, code, null)), merchant))
            }
            PayMethod.QR_SHOW -> when (val created = c.serve(session, ScopedRequest.QrShowCreate(QrOrderRequest(s.requestId, order, s.amount, null)), merchant)) {
                is PosResult.Failure -> EngineResult.Failed(created)
                is PosResult.Success -> {
                    val code = (created.value as? ScopedAnswer.QrCode)?.code
                        ?: return EngineResult.Failed(PosResult.Failure(ErrorCodes.INTERNAL_ERROR, "no code to show"))
                    qrCode?.invoke(s.requestId, code.codeUrl, code.png)
                    answer(c.serve(session, ScopedRequest.QrShowWait(s.requestId), merchant))
                }
            }
            null -> cancelled()
            else -> EngineResult.Failed(PosResult.Failure(ErrorCodes.UNSUPPORTED_TRANSACTION, "pay method $method"))
        }
    }

    private fun answer(r: PosResult<ScopedAnswer>): EngineResult = when (r) {
        is PosResult.Failure -> EngineResult.Failed(r)
        is PosResult.Success -> when (val a = r.value) {
            is ScopedAnswer.Txn -> EngineResult.Txn(a.outcome)
            is ScopedAnswer.Qr -> EngineResult.Qr(a.outcome)
            is ScopedAnswer.QrRefund -> EngineResult.QrRefund(a.outcome)
            is ScopedAnswer.QrCode -> EngineResult.Failed(PosResult.Failure(ErrorCodes.INTERNAL_ERROR, "unexpected code"))
            is ScopedAnswer.Reprinted -> EngineResult.Reprinted(a.lines)
            is ScopedAnswer.Settled -> EngineResult.Settled(a.report)
            is ScopedAnswer.SignedIn -> EngineResult.SignedIn(a.report)
        }
    }

    private fun printModeOf(mode: Int): PrintMode = when (mode) {
        com.unipos.sdk.PrintMode.NONE -> PrintMode.NONE
        com.unipos.sdk.PrintMode.MERCHANT -> PrintMode.MERCHANT
        com.unipos.sdk.PrintMode.CUSTOMER -> PrintMode.CUSTOMER
        com.unipos.sdk.PrintMode.BOTH -> PrintMode.BOTH
        else -> PrintMode.AUTO
    }

    private fun cancelled() = EngineResult.Failed(PosResult.Failure(ErrorCodes.CANCELLED, "cancelled by the cashier"))

    /**
     * The customer's code from the vendor's scanner; the caller is told it waits for it (stage 4: it
     * may cancel). A cancel during the scan wins even when the scanner cannot be stopped and
     * still reads a code: nothing was sent yet.
     */
    private fun scanCode(requestId: String, waitMs: Long): PosResult<String> {
        scanCancelled = false
        stages?.invoke(requestId, ProgressStage.WAITING_FOR_PAYMENT_CODE)
        val started = System.nanoTime()
        val code = hardware.scanPaymentCode(waitMs)
        return when {
            scanCancelled -> PosResult.Failure(ErrorCodes.CANCELLED, "cancelled by the cashier")
            code != null -> PosResult.Success(code)
            System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(waitMs) ->
                PosResult.Failure(ErrorCodes.CARD_WAIT_TIMEOUT, "no payment code scanned within ${waitMs / 1000} s")
            else -> PosResult.Failure(ErrorCodes.CANCELLED, "cancelled by the cashier")
        }
    }

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

    override fun cancelWait() {
        scanCancelled = true
        core?.cancelWait()
        hardware.cancelScan()
    }

    override fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) { progress = listener }

    override fun setQrCodeListener(listener: ((String, String, ByteArray) -> Unit)?) { qrCode = listener }
    override fun setPayMethodChooser(chooser: PayMethodChooser?) { this.chooser = chooser }
    override fun setStageListener(listener: ((requestId: String, stage: Int) -> Unit)?) { stages = listener }

    override fun close() {
        core?.close()
        core = null
        timers.shutdownNow()
    }

    private companion object {
        const val QR_SCAN_WAIT_MS = 60_000L

    }

    private inline fun <T> result(r: PosResult<T>, ok: (T) -> EngineResult): EngineResult = when (r) {
        is PosResult.Success -> ok(r.value)
        is PosResult.Failure -> EngineResult.Failed(r)
    }
}
