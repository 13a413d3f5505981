package com.unipos.app.txn

import com.unipos.app.policy.AppCaller
import com.unipos.app.policy.CallerPolicy
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.ProgressEvent
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.ProgressStage
import com.unipos.sdk.RequestValidator
import com.unipos.sdk.StartResult
import com.unipos.sdk.TransRequest
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPos
import java.util.concurrent.Callable
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException

/**
 * One transaction at a time for the whole terminal (cashier screens and every third-party app).
 *
 * The Rust core's journal is the only registry of request ids: it stores each request in its
 * caller's scope (with a fingerprint of what it asked) before anything is sent, answers a repeat
 * from there and refuses an id reused for another request (1004). This class keeps nothing but the
 * one running job.
 *
 * Threading: [start], [query], [queryLast] and [cancel] are called on binder threads (or a
 * background thread of a screen) and never wait for a card or the host: they read the journal
 * through the core's read-only connection, decide under a lock, and hand the work to ONE worker
 * thread that alone runs transactions. An UNKNOWN outcome (a lost answer) is resolved soon by a
 * flush on the worker ([resolveDelaysMs]), not only at the next transaction.
 */
class TransactionDispatcher(
    private val engine: PaymentEngine,
    /** The display text of each progress report, in the terminal's language. */
    private val texts: ProgressTexts,
    private val results: ResultMapper = ResultMapper(identity = engine::identity),
    /** Delays of the flushes that resolve an UNKNOWN outcome, one after the other while it stays open. */
    private val resolveDelaysMs: List<Long> = listOf(2_000, 5_000, 15_000, 30_000, 60_000),
    /** Told when an outcome is UNKNOWN (the app also schedules its expedited job, in case the process dies). */
    private val onUnknown: () -> Unit = {},
) : AutoCloseable {

    interface Listener {
        /** [scope] is [SYSTEM_SCOPE] for startup and other work no caller asked for. */
        fun onProgress(scope: String, requestId: String, stage: Int, message: String) {}
        /**
         * A CHOOSE sale of [scope]'s [requestId] needs the cashier's choice: return true to ask on
         * your screen and call [answer] once (a PayMethod, or null when the cashier cancels).
         */
        fun onChoosePayMethod(scope: String, requestId: String, amountFen: Long, answer: (Int?) -> Unit): Boolean = false
        fun onResult(scope: String, result: TransResult) {}
        /** A QR_SHOW sale's code: show [png] (the cashier screen / pay Activity) until the result arrives. */
        fun onQrCode(scope: String, requestId: String, codeUrl: String, png: ByteArray) {}
        /** On the worker, before the engine runs a transaction (the foreground service starts here). */
        fun onTransactionStarted(scope: String, requestId: String) {}
        /** On the worker, after its result is stored (always paired with [onTransactionStarted]). */
        fun onTransactionFinished(scope: String, requestId: String) {}
        /** Every engine event as it comes, on the core's thread (the cashier's desk shows its own jobs' stages). */
        fun onEngineEvent(event: ProgressEvent) {}
    }

    private class Running(val caller: AppCaller, val info: RequestInfo) {
        @Volatile var stage = ProgressStage.ACCEPTED
        /** The cashier's choice a screen is asking for (a CHOOSE sale); a cancel answers it. */
        @Volatile var choice: CompletableFuture<Int?>? = null
        val scope get() = caller.scope
        val key get() = caller.scope to info.requestId
    }

    private val worker: ExecutorService = Executors.newSingleThreadExecutor { r ->
        Thread(r, "unipos-dispatcher").apply { isDaemon = true }
    }
    private val listeners = CopyOnWriteArrayList<Listener>()
    private val starter: ExecutorService = Executors.newSingleThreadExecutor { r ->
        Thread(r, "unipos-start").apply { isDaemon = true }
    }
    private val resolver: ScheduledExecutorService = Executors.newSingleThreadScheduledExecutor { r ->
        Thread(r, "unipos-resolver").apply { isDaemon = true }
    }
    private val lock = Any()
    private var running: Running? = null
    @Volatile private var resolving = false

    init {
        engine.setProgressListener(::onEngineProgress)
        engine.setQrCodeListener { engineId, url, png ->
            val job = synchronized(lock) { running }?.takeIf { it.info.requestId == engineId }
            if (job != null) {
                job.stage = ProgressStage.SHOWING_QR_CODE
                val (scope, id) = job.key
                listeners.forEach { it.onProgress(scope, id, ProgressStage.SHOWING_QR_CODE, texts.text(ProgressStage.SHOWING_QR_CODE, null)) }
                listeners.forEach { it.onQrCode(scope, id, url, png) }
            }
        }
        engine.setPayMethodChooser(::chooseOnScreen)
        engine.setStageListener { engineId, stage ->
            val job = synchronized(lock) { running }?.takeIf { it.info.requestId == engineId }
            if (job != null) {
                job.stage = stage
                val text = texts.text(stage, null)
                listeners.forEach { it.onProgress(job.scope, job.info.requestId, stage, text) }
            }
        }
    }

    /** The pay method of the running CHOOSE sale, asked on a listener's screen; null = no screen asks. */
    private fun chooseOnScreen(engineId: String, amountFen: Long): PayChoice? {
        val job = synchronized(lock) { running }?.takeIf { it.info.requestId == engineId } ?: return null
        val answer = CompletableFuture<Int?>()
        val asked = listeners.any { it.onChoosePayMethod(job.scope, job.info.requestId, amountFen) { m -> answer.complete(m) } }
        if (!asked) return null
        // Only once a screen asks may a caller's cancel answer it (else the vendor's chooser runs).
        job.choice = answer
        try {
            return PayChoice(answer.get(CHOOSE_WAIT_MS, TimeUnit.MILLISECONDS))
        } catch (e: TimeoutException) {
            return PayChoice(null)
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
            return PayChoice(null)
        } finally {
            job.choice = null
        }
    }

    fun addListener(l: Listener) { listeners += l }
    fun removeListener(l: Listener) { listeners -= l }

    /** Runs the engine's startup on the worker (before anything queued after it). */
    fun startup(): Future<EngineResult> = worker.submit(Callable {
        engine.startup().also { r ->
            val text = if (r is EngineResult.Failed) "startup failed: ${r.failure.code} ${r.failure.message}" else "ready"
            listeners.forEach { it.onProgress(SYSTEM_SCOPE, "startup", 0, text) }
        }
    })

    /** The cashier screens' entry ([CallerPolicy.OWN_SCOPE]); third-party callers come with their [AppCaller]. */
    fun start(scope: String, request: TransRequest?): StartResult = start(callerOf(scope), request)

    fun start(caller: AppCaller, request: TransRequest?): StartResult {
        val check = RequestValidator.check(request)
        if (!check.ok || request == null) return startResult(request?.requestId, check.errorCode, check.message)
        val id = request.requestId
        val key = caller.scope to id
        synchronized(lock) {
            if (running?.key == key) return startResult(id, ErrorCodes.REQUEST_IN_PROGRESS, "in progress: query it")
        }
        val command = try {
            RequestMapper { orig -> engine.query(caller, orig) }.map(request)
        } catch (e: RequestRejected) {
            return startResult(id, e.code, e.message ?: ErrorCodes.describe(e.code))
        }
        when (val known = engine.known(caller, command, request.orderNo)) {
            is Known.Repeat -> return if (TransState.isFinal(results.fromOutcome(known.outcome).state)) {
                startResult(id, ErrorCodes.REQUEST_ALREADY_DONE, "already done: query it")
            } else {
                startResult(id, ErrorCodes.REQUEST_IN_PROGRESS, "in progress or being resolved: query it")
            }
            is Known.Refused -> return startResult(id, known.failure.code, known.failure.message)
            Known.New -> {}
        }
        val job = Running(caller, RequestInfo(id, request.transType, request.amount, request.orderNo))
        synchronized(lock) {
            running?.let { other ->
                return if (other.key == key) startResult(id, ErrorCodes.REQUEST_IN_PROGRESS, "in progress: query it")
                else startResult(id, ErrorCodes.TERMINAL_BUSY, "another transaction is running")
            }
            running = job
        }
        val fields = RequestExtras(
            request.orderNo?.takeIf { it.isNotEmpty() }, request.receiptRemark?.takeIf { it.isNotEmpty() }, request.printMode,
            waitMs = request.cardWaitSeconds.takeIf { it > 0 }?.let { it * 1_000L },
        )
        // ACCEPTED first: told after the worker started, it could arrive after the job's own stages.
        val accepted = texts.text(ProgressStage.ACCEPTED, null)
        listeners.forEach { it.onProgress(caller.scope, id, ProgressStage.ACCEPTED, accepted) }
        worker.execute { execute(job, command, fields) }
        return startResult(id, ErrorCodes.OK, "accepted")
    }

    fun query(scope: String, requestId: String?): TransResult = query(callerOf(scope), requestId)

    /** The outcome of the caller's [requestId], read from the journal (PENDING while it runs). */
    fun query(caller: AppCaller, requestId: String?): TransResult {
        if (requestId.isNullOrEmpty()) return results.notFound(requestId)
        synchronized(lock) {
            running?.takeIf { it.key == (caller.scope to requestId) }?.let { return results.pending(it.info) }
        }
        val outcome = engine.query(caller, requestId) ?: return results.notFound(requestId)
        return results.fromOutcome(outcome)
    }

    fun queryLast(scope: String): TransResult = queryLast(callerOf(scope))

    fun queryLast(caller: AppCaller): TransResult =
        engine.queryLast(caller)?.let { results.fromOutcome(it) } ?: results.notFound(null)

    /** The newest of the caller's requests that carried its own order number [orderNo]. */
    fun queryByOrderNo(caller: AppCaller, orderNo: String?): TransResult {
        if (orderNo.isNullOrEmpty()) return results.notFound(null)
        return engine.queryByOrderNo(caller, orderNo)?.let { results.fromOutcome(it) } ?: results.notFound(null)
    }

    fun cancel(scope: String, requestId: String?): Int = cancel(callerOf(scope), requestId)

    /**
     * Allowed while a screen asks the cashier how a CHOOSE sale is paid (nothing started), and
     * while the terminal waits for the customer: for a card or a payment code (nothing
     * sent yet), while a shown code waits to be paid (the engine closes it), or while the customer
     * confirms a scanned code (the engine reverses it when the wallet allows). Otherwise the host
     * may have it: [ErrorCodes.CANCEL_NOT_ALLOWED].
     */
    fun cancel(caller: AppCaller, requestId: String?): Int {
        synchronized(lock) {
            val job = running
            if (requestId != null && job != null && job.key == (caller.scope to requestId)) {
                // Still choosing how to pay: nothing has started.
                job.choice?.let { it.complete(null); return ErrorCodes.OK }
                if (!isCancellable(job.stage)) return ErrorCodes.CANCEL_NOT_ALLOWED
                engine.cancelWait()
                return ErrorCodes.OK
            }
        }
        return if (!requestId.isNullOrEmpty() && engine.query(caller, requestId) != null) ErrorCodes.CANCEL_NOT_ALLOWED
        else ErrorCodes.NOT_FOUND
    }

    val isBusy: Boolean get() = synchronized(lock) { running != null }

    /** The transaction list (newest first), read on the worker. */
    fun journal(limit: Int = 100): Future<List<Outcome>> = worker.submit(Callable { engine.journal(limit) })

    /** What the cashier must see before a new sale (pending/parked reversals, open QR orders). */
    fun unresolved(): Future<List<Outcome>> = worker.submit(Callable { engine.unresolved() })

    /** The periodic maintenance (flush, automatic settlement), on the worker after what is queued. */
    fun maintenance(): Future<com.unipos.core.PosResult<MaintenanceReport>> = worker.submit(Callable { engine.maintenance() })

    /** Runs [block] on the worker, between jobs (swapping the engine for new settings). */
    fun <T> onWorker(block: () -> T): Future<T> = worker.submit(Callable { block() })

    /**
     * [start] off the calling thread (it writes the request to disk before answering): for the main
     * thread of screens. [onStarted] is called on that background thread.
     */
    fun startInBackground(scope: String, request: TransRequest?, onStarted: (StartResult) -> Unit) {
        starter.execute { onStarted(start(scope, request)) }
    }

    /** Whether a flush to resolve an UNKNOWN outcome is scheduled or running. */
    val isResolving: Boolean get() = resolving

    /** Waits until everything queued so far has run (tests, orderly shutdown). */
    fun awaitIdle(timeoutMs: Long) {
        worker.submit {}.get(timeoutMs, TimeUnit.MILLISECONDS)
    }

    override fun close() {
        resolver.shutdownNow()
        starter.shutdown()
        // A choice still asked for will not come: the sale is cancelled, nothing has started.
        synchronized(lock) { running }?.choice?.complete(null)
        worker.shutdown()
        worker.awaitTermination(5, TimeUnit.SECONDS)
        engine.setProgressListener(null)
        engine.setQrCodeListener(null)
        engine.setPayMethodChooser(null)
    }

    // ---- worker side -------------------------------------------------------------------------------

    private fun execute(job: Running, command: CoreCommand, fields: RequestExtras) {
        listeners.forEach { it.onTransactionStarted(job.scope, job.info.requestId) }
        try {
            executeInner(job, command, fields)
        } finally {
            listeners.forEach { it.onTransactionFinished(job.scope, job.info.requestId) }
        }
    }

    private fun executeInner(job: Running, command: CoreCommand, fields: RequestExtras) {
        val result = try {
            results.map(job.info, engine.run(job.caller, command, fields))
        } catch (e: Throwable) {
            // We cannot tell how far it got: UNKNOWN, and the next query asks the engine's journal.
            results.failed(job.info, ErrorCodes.INTERNAL_ERROR, "internal error: ${e.javaClass.simpleName}")
                .apply { state = TransState.UNKNOWN }
        }
        synchronized(lock) { running = null }
        listeners.forEach { it.onResult(job.scope, result) }
        if (result.state == TransState.UNKNOWN) resolveSoon()
    }

    /**
     * A lost answer must not wait for the next transaction: flush on the worker after each of
     * [resolveDelaysMs] while something is still being reversed or queried.
     */
    private fun resolveSoon() {
        onUnknown()
        synchronized(lock) {
            if (resolving) return
            resolving = true
        }
        scheduleResolve(0)
    }

    private fun scheduleResolve(attempt: Int) {
        if (attempt >= resolveDelaysMs.size) { resolving = false; return }
        try {
            resolver.schedule({
                worker.execute {
                    engine.flush()
                    val open = engine.unresolved().any { it.status == OutcomeStatus.REVERSAL_PENDING || it.status == OutcomeStatus.IN_PROGRESS }
                    if (open) scheduleResolve(attempt + 1) else resolving = false
                }
            }, resolveDelaysMs[attempt], TimeUnit.MILLISECONDS)
        } catch (e: java.util.concurrent.RejectedExecutionException) {
            resolving = false   // closing
        }
    }

    private fun onEngineProgress(event: ProgressEvent) {
        listeners.forEach { it.onEngineEvent(event) }
        val job = synchronized(lock) { running }
        val stage = ResultMapper.stageOf(event, job?.stage ?: ProgressStage.ACCEPTED)
        val text = texts.text(stage ?: 0, event)
        if (job == null || stage == null) {
            listeners.forEach { it.onProgress(SYSTEM_SCOPE, "", stage ?: 0, text) }
            return
        }
        job.stage = stage
        listeners.forEach { it.onProgress(job.scope, job.info.requestId, stage, text) }
    }

    private fun startResult(id: String?, code: Int, text: String) = StartResult().apply {
        version = UniPos.CONTRACT_VERSION
        requestId = id
        errorCode = code
        message = text
    }

    /** A string scope as the screens give it: the cashier's own, or a scope with no capabilities (reads only). */
    private fun callerOf(scope: String): AppCaller =
        if (scope == CallerPolicy.OWN_SCOPE) AppCaller.CASHIER else AppCaller(scope, emptySet())

    companion object {
        const val SYSTEM_SCOPE = "system"

        /** How long a screen may take to answer how a CHOOSE sale is paid; then it is cancelled. */
        const val CHOOSE_WAIT_MS = 120_000L

        /** The stages in which a caller's cancel reaches the engine (see [cancel]). */
        private val CANCELLABLE = setOf(
            ProgressStage.WAITING_FOR_CARD, ProgressStage.WAITING_FOR_PAYMENT_CODE,
            ProgressStage.SHOWING_QR_CODE, ProgressStage.WAITING_FOR_CUSTOMER,
        )

        /** Whether [cancel] passes a cancel on in [stage] (a [ProgressStage]); screens offer Cancel only then. */
        fun isCancellable(stage: Int): Boolean = stage in CANCELLABLE
    }
}
