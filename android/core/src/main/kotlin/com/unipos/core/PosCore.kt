package com.unipos.core

import com.unipos.core.ffi.CancelSignal
import com.unipos.core.ffi.CardPrompt
import com.unipos.core.ffi.CardReadResult
import com.unipos.core.ffi.CardReader
import com.unipos.core.ffi.CallbackException
import com.unipos.core.ffi.CallerScope
import com.unipos.core.ffi.CallerSession
import com.unipos.core.ffi.MerchantFields
import com.unipos.core.ffi.ScopedAnswer
import com.unipos.core.ffi.ScopedRequest
import com.unipos.core.ffi.CompletionRequest
import com.unipos.core.ffi.CompletionVoidRequest
import com.unipos.core.ffi.EmvCard
import com.unipos.core.ffi.EmvFinish
import com.unipos.core.ffi.EmvIssuerAnswer
import com.unipos.core.ffi.EmvAid
import com.unipos.core.ffi.EmvCaKey
import com.unipos.core.ffi.EmvKernel
import com.unipos.core.ffi.EmvStart
import com.unipos.core.ffi.FlushReport
import com.unipos.core.ffi.KeyWrapper
import com.unipos.core.ffi.LogLevel
import com.unipos.core.ffi.LogRecord
import com.unipos.core.ffi.LogSink
import com.unipos.core.ffi.MacKind
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.PinPad
import com.unipos.core.ffi.PinRequest
import com.unipos.core.ffi.PinResult
import com.unipos.core.ffi.PosConfig
import com.unipos.core.ffi.PosTerminal
import com.unipos.core.ffi.PreAuthRequest
import com.unipos.core.ffi.PreAuthVoidRequest
import com.unipos.core.ffi.Printer
import com.unipos.core.ffi.ProgressEvent
import com.unipos.core.ffi.ProgressListener
import com.unipos.core.ffi.QrDynamicCode
import com.unipos.core.ffi.QrOrderRequest
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrPayRequest
import com.unipos.core.ffi.QrRefundOutcome
import com.unipos.core.ffi.QrRefundRequest
import com.unipos.core.ffi.RefundRequest
import com.unipos.core.ffi.SaleRequest
import com.unipos.core.ffi.SecurityModuleCallback
import com.unipos.core.ffi.SettlementReport
import com.unipos.core.ffi.StartupReport
import com.unipos.core.ffi.VoidRequest
import com.unipos.core.ffi.WrappedWorkKey
import com.unipos.core.ffi.setLogSink
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * The terminal's devices, implemented by a vendor adapter (Sunmi, PAX, ...) or a simulator.
 * Every callback is called on a core background thread, never the UI thread; anything it
 * throws becomes a typed device error of the running call, never a crash.
 */
data class Devices(
    val cardReader: CardReader,
    val pinPad: PinPad,
    val printer: Printer,
    /** `null`: the built-in simulated kernel (test cards; software security module only). */
    val emvKernel: EmvKernel? = null,
    /** `null`: the software security module with `PosConfig.softwareTmkHex` (tests, emulator). */
    val securityModule: SecurityModuleCallback? = null,
)

/**
 * The Kotlin face of the payment core: one [PosTerminal] behind suspend functions that run on
 * [dispatcher] (a background dispatcher; the core blocks while it talks to the host and the
 * devices). Calls from several coroutines/threads are serialised by the core.
 *
 * Amounts are `Long` fen; only masked card numbers ever come back.
 */
class PosCore private constructor(
    private val terminal: PosTerminal,
    private val dispatcher: CoroutineDispatcher,
) : AutoCloseable {

    companion object {
        /**
         * Opens (or creates) the terminal database at [dbPath]. Blocking: call it off the UI thread.
         *
         * [keyWrapper] wraps the data key that protects the card numbers in the journal and the
         * software security module's key file: the Android Keystore on a terminal
         * (`com.unipos.app.keys.KeystoreKeyWrapper`), [SoftwareKeyWrapper] on the host JVM only.
         */
        fun open(
            config: PosConfig,
            dbPath: String,
            devices: Devices,
            keyWrapper: KeyWrapper,
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
        ): PosResult<PosCore> = PosResult.catching {
            val terminal = PosTerminal.open(
                config,
                dbPath,
                SafeCardReader(devices.cardReader),
                SafePinPad(devices.pinPad),
                SafePrinter(devices.printer),
                devices.emvKernel?.let { SafeEmvKernel(it) },
                devices.securityModule?.let { SafeSecurityModule(it) },
                SafeKeyWrapper(keyWrapper),
            )
            PosCore(terminal, dispatcher)
        }

        /**
         * Sends the core's log records (already redacted: masked PAN only) to [sink], up to
         * [level]. On Android the app forwards them to logcat. `null` stops forwarding.
         */
        fun setLogger(level: LogLevel = LogLevel.INFO, sink: ((LogRecord) -> Unit)?) {
            setLogSink(sink?.let { f ->
                object : LogSink {
                    override fun log(record: LogRecord) {
                        try { f(record) } catch (_: Throwable) { /* a logger must never break a payment */ }
                    }
                }
            }, level)
        }
    }

    private suspend fun <T> call(block: (PosTerminal) -> T): PosResult<T> =
        withContext(dispatcher) { PosResult.catching { block(terminal) } }

    // ---- scoped callers (merchant apps through the AIDL service / pay Intent) -------------------------

    /** A session of a merchant app: its scope and capabilities, enforced by the core. */
    fun forCaller(caller: CallerScope): PosResult<CallerSession> = PosResult.catching { terminal.forCaller(caller) }

    /** The cashier's own session (the terminal's screens): every capability. */
    fun cashierSession(): CallerSession = terminal.cashierSession()

    /** Serves [request] for [session] (blocks for the whole transaction: on [dispatcher]). */
    suspend fun serve(session: CallerSession, request: ScopedRequest, fields: MerchantFields): PosResult<ScopedAnswer> =
        withContext(dispatcher) { PosResult.catching { session.serve(request, fields) } }

    /** Progress events (called on the core thread: post to the UI yourself). */
    fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) {
        terminal.setProgressListener(listener?.let { f ->
            object : ProgressListener {
                override fun onProgress(event: ProgressEvent) {
                    try { f(event) } catch (_: Throwable) { }
                }
            }
        })
    }

    val isReady: Boolean get() = terminal.isReady()

    /** The cashier's entry points (operators, the supervisor's grants, guarded operations, lookups). */
    val desk: CashierCore get() = synchronized(this) {
        openDesk ?: terminal.cashierDesk().let { d -> CashierCore(d, dispatcher).also { openDesk = it; deskHandle = d } }
    }
    private var openDesk: CashierCore? = null
    private var deskHandle: com.unipos.core.ffi.CashierDesk? = null

    /** The library's version (the Cargo package version). */
    val version: String get() = com.unipos.core.ffi.libraryVersion()

    /** The full startup: sign-in and every download (the cashier's explicit sign-in). */
    suspend fun startup(): PosResult<StartupReport> = call { it.startup() }

    /**
     * What a process start calls: sign-in and the flush of pending reversals and advices only,
     * when an earlier startup stored the downloads; the full startup otherwise.
     */
    suspend fun resume(): PosResult<StartupReport> = call { it.resume() }

    suspend fun sale(requestId: String, amountFen: Long): PosResult<Outcome> =
        call { it.sale(SaleRequest(requestId, amountFen)) }

    suspend fun void(requestId: String, originalTrace: Int): PosResult<Outcome> =
        call { it.void(VoidRequest(requestId, originalTrace)) }

    suspend fun refund(requestId: String, amountFen: Long, originalRrn: String, originalDate: String): PosResult<Outcome> =
        call { it.refund(RefundRequest(requestId, amountFen, originalRrn, originalDate)) }

    suspend fun preAuth(requestId: String, amountFen: Long): PosResult<Outcome> =
        call { it.preAuth(PreAuthRequest(requestId, amountFen)) }

    suspend fun preAuthVoid(requestId: String, authCode: String, originalDate: String): PosResult<Outcome> =
        call { it.preAuthVoid(PreAuthVoidRequest(requestId, authCode, originalDate)) }

    suspend fun completion(
        requestId: String, amountFen: Long, authCode: String, originalDate: String, advice: Boolean = false,
    ): PosResult<Outcome> = call { it.completion(CompletionRequest(requestId, amountFen, authCode, originalDate, advice)) }

    suspend fun completionVoid(requestId: String, originalTrace: Int): PosResult<Outcome> =
        call { it.completionVoid(CompletionVoidRequest(requestId, originalTrace)) }

    suspend fun balanceInquiry(requestId: String): PosResult<Outcome> = call { it.balanceInquiry(requestId) }

    /** The stored outcome of [requestId]; `Success(null)` if the terminal never saw it. */
    suspend fun query(requestId: String): PosResult<Outcome?> = call { it.query(requestId) }

    suspend fun queryLast(): PosResult<Outcome?> = call { it.queryLast() }

    suspend fun journal(limit: Int = 50): PosResult<List<Outcome>> = call { it.journal(limit) }

    suspend fun parkedReversals(): PosResult<List<Outcome>> = call { it.parkedReversals() }

    /** Supervisor: puts the parked reversals back in the queue and sends them now. */
    suspend fun retryParkedReversals(): PosResult<FlushReport> = call { it.retryParkedReversals() }

    /** Reprints the merchant copy of [trace] (or of the last transaction); returns the lines. */
    suspend fun reprint(trace: Int? = null): PosResult<List<String>> = call { it.reprint(trace) }

    suspend fun settle(): PosResult<SettlementReport> = call { it.settle() }

    suspend fun settleIfDue(): PosResult<SettlementReport?> = call { it.settleIfDue() }

    suspend fun printSettlement(batch: Int): PosResult<List<String>> = call { it.printSettlement(batch) }

    suspend fun flushPending(): PosResult<FlushReport> = call { it.flushPending() }

    // ---- QR ----------------------------------------------------------------------------------

    /** QR pay by the customer's scanned payment code; the result is final or REVERSE_PENDING. */
    suspend fun qrPay(requestId: String, orderId: String, amountFen: Long, code: String, subject: String? = null): PosResult<QrOutcome> =
        call { it.qrPay(QrPayRequest(requestId, orderId, amountFen, code, subject)) }

    /** Creates a dynamic QR order; show [QrDynamicCode.png], then call [qrOrderWait]. */
    suspend fun qrOrderCreate(requestId: String, orderId: String, amountFen: Long, subject: String? = null): PosResult<QrDynamicCode> =
        call { it.qrOrderCreate(QrOrderRequest(requestId, orderId, amountFen, subject)) }

    suspend fun qrOrderWait(requestId: String): PosResult<QrOutcome> = call { it.qrOrderWait(requestId) }

    suspend fun qrCancel(requestId: String): PosResult<QrOutcome> = call { it.qrCancel(requestId) }

    /** Refund [amountFen] of a paid QR attempt; `null` amount = same-day void. */
    suspend fun qrRefund(requestId: String, originalRequestId: String, amountFen: Long?, reason: String? = null): PosResult<QrRefundOutcome> =
        call { it.qrRefund(QrRefundRequest(requestId, originalRequestId, amountFen, reason)) }

    suspend fun qrQuery(requestId: String): PosResult<QrOutcome?> = call { it.qrQuery(requestId) }

    suspend fun qrPendingResults(): PosResult<List<QrOutcome>> = call { it.qrPendingResults() }

    suspend fun qrAcknowledge(requestId: String): PosResult<Boolean> = call { it.qrAcknowledge(requestId) }

    suspend fun currentBatch(): PosResult<Int> = call { it.currentBatch() }

    /** The cashier's cancel of a wait for the customer: a card wait, or a shown or scanned QR code (closed or reversed by the engine). Not suspending, callable from any thread (the UI's cancel button). */
    fun cancelWait() = terminal.cancelWait()

    /**
     * Closes the terminal. The desk holds the Rust terminal too (its database and lock), so it is
     * destroyed first: otherwise the terminal would outlive close() until the garbage collector ran.
     */
    override fun close() {
        synchronized(this) {
            deskHandle?.destroy()
            deskHandle = null
            openDesk = null
        }
        terminal.close()
    }
}

// ---- guards: a callback that throws anything becomes a typed CallbackException ------------------

private inline fun <T> guard(block: () -> T): T = try {
    block()
} catch (e: CallbackException) {
    throw e
} catch (e: Throwable) {
    throw CallbackException.Unexpected(e.javaClass.simpleName + (e.message?.let { ": $it" } ?: ""))
}

private class SafeCardReader(val inner: CardReader) : CardReader {
    override fun readCard(prompt: CardPrompt, cancel: CancelSignal): CardReadResult = guard { inner.readCard(prompt, cancel) }
}

private class SafePinPad(val inner: PinPad) : PinPad {
    override fun readPin(request: PinRequest): PinResult = guard { inner.readPin(request) }
}

private class SafePrinter(val inner: Printer) : Printer {
    override fun print(lines: List<String>) = guard { inner.print(lines) }
}

private class SafeEmvKernel(val inner: EmvKernel) : EmvKernel {
    override fun loadTerminalData(caKeys: List<EmvCaKey>, aids: List<EmvAid>) = guard { inner.loadTerminalData(caKeys, aids) }
    override fun start(card: EmvCard, request: EmvStart): ByteArray = guard { inner.start(card, request) }
    override fun complete(answer: EmvIssuerAnswer): EmvFinish = guard { inner.complete(answer) }
}

private class SafeKeyWrapper(val inner: KeyWrapper) : KeyWrapper {
    override fun wrap(plain: ByteArray): ByteArray = guard { inner.wrap(plain) }
    override fun unwrap(wrapped: ByteArray): ByteArray = guard { inner.unwrap(wrapped) }
}

private class SafeSecurityModule(val inner: SecurityModuleCallback) : SecurityModuleCallback {
    override fun installWorkKeys(keys: List<WrappedWorkKey>) = guard { inner.installWorkKeys(keys) }
    override fun hasWorkKeys(): Boolean = guard { inner.hasWorkKeys() }
    override fun clearWorkKeys() = guard { inner.clearWorkKeys() }
    override fun mac(algorithm: MacKind, method2Padding: Boolean, data: ByteArray): ByteArray =
        guard { inner.mac(algorithm, method2Padding, data) }
    override fun encryptTrack(data: ByteArray): ByteArray = guard { inner.encryptTrack(data) }
    override fun installQrKey(key: WrappedWorkKey) = guard { inner.installQrKey(key) }
    override fun qrKeyCheckValue(): ByteArray? = guard { inner.qrKeyCheckValue() }
    override fun qrMac(algorithm: MacKind, method2Padding: Boolean, data: ByteArray): ByteArray =
        guard { inner.qrMac(algorithm, method2Padding, data) }
}
