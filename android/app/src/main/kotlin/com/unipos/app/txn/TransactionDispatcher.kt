package com.unipos.app.txn

import com.unipos.core.ffi.Outcome
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
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException

/**
 * One transaction at a time for the whole terminal (cashier screens and every third-party app),
 * with caller-scoped idempotency.
 *
 * Threading: [start], [query], [queryLast] and [cancel] are called on binder threads (or the UI
 * thread) and never wait for a card or the host: they decide under a lock, persist the request in
 * the [TransactionRegistry], and hand the work to ONE worker thread that alone talks to the engine.
 * Results are stored before they are announced, so a caller that missed [Listener.onResult] (it
 * died, its callback was dropped) gets the same answer from [query].
 */
class TransactionDispatcher(
    private val engine: PaymentEngine,
    private val registry: TransactionRegistry,
    private val results: ResultMapper = ResultMapper(),
    private val clock: () -> Long = System::currentTimeMillis,
    /** How long a query may wait for the engine to refresh an open outcome before it answers what it has. */
    private val refreshWaitMs: Long = 3_000,
) : AutoCloseable {

    interface Listener {
        /** [scope] is [SYSTEM_SCOPE] for startup and other work no caller asked for. */
        fun onProgress(scope: String, requestId: String, stage: Int, message: String) {}
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

    private class Running(val record: TxnRecord) {
        @Volatile var stage = ProgressStage.ACCEPTED
        val key get() = record.scope to record.info.requestId
    }

    private val worker: ExecutorService = Executors.newSingleThreadExecutor { r ->
        Thread(r, "unipos-dispatcher").apply { isDaemon = true }
    }
    private val listeners = CopyOnWriteArrayList<Listener>()
    private val starter: ExecutorService = Executors.newSingleThreadExecutor { r ->
        Thread(r, "unipos-start").apply { isDaemon = true }
    }
    private val lock = Any()
    private var running: Running? = null
    private val mapper = RequestMapper(engine::lookup)

    init {
        engine.setProgressListener(::onEngineProgress)
        engine.setQrCodeListener { engineId, url, png ->
            val job = synchronized(lock) { running }?.takeIf { it.record.engineId == engineId }
            if (job != null) {
                job.stage = ProgressStage.SHOWING_QR_CODE
                val (scope, id) = job.key
                listeners.forEach { it.onProgress(scope, id, ProgressStage.SHOWING_QR_CODE, "scan the code to pay") }
                listeners.forEach { it.onQrCode(scope, id, url, png) }
            }
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

    fun start(scope: String, request: TransRequest?): StartResult {
        val check = RequestValidator.check(request)
        if (!check.ok || request == null) return startResult(request?.requestId, check.errorCode, check.message)
        val id = request.requestId
        val fingerprint = RequestMapper.fingerprint(request)
        val record: TxnRecord
        synchronized(lock) {
            registry.find(scope, id)?.let { known ->
                return when {
                    known.fingerprint != fingerprint -> startResult(id, ErrorCodes.REQUEST_ID_CONFLICT, "request id $id was used for a different request")
                    known.isFinal -> startResult(id, ErrorCodes.REQUEST_ALREADY_DONE, "already done: query it")
                    else -> startResult(id, ErrorCodes.REQUEST_IN_PROGRESS, "in progress or being resolved: query it")
                }
            }
            if (running != null) return startResult(id, ErrorCodes.TERMINAL_BUSY, "another transaction is running")
            record = TxnRecord(
                scope, RequestInfo(id, request.transType, request.amount, request.orderNo),
                EngineIds.of(scope, id), fingerprint, clock(), result = null,
            )
            registry.put(record)           // durable before anything can be sent
            running = Running(record)
        }
        worker.execute { execute(record, request) }
        listeners.forEach { it.onProgress(scope, id, ProgressStage.ACCEPTED, "accepted") }
        return startResult(id, ErrorCodes.OK, "accepted")
    }

    fun query(scope: String, requestId: String?): TransResult {
        val record = requestId?.let { registry.find(scope, it) } ?: return results.notFound(requestId)
        if (record.isFinal) return record.result!!
        synchronized(lock) {
            if (running?.key == (scope to record.info.requestId)) return results.pending(record.info)
        }
        return refresh(record) ?: record.result ?: results.pending(record.info)
    }

    fun queryLast(scope: String): TransResult =
        registry.last(scope)?.let { query(scope, it.info.requestId) } ?: results.notFound(null)

    /** Allowed only while the terminal waits for a card or code: afterwards the host may have it. */
    fun cancel(scope: String, requestId: String?): Int {
        synchronized(lock) {
            val job = running
            if (requestId == null || job == null || job.key != (scope to requestId)) {
                return if (requestId != null && registry.find(scope, requestId) != null) ErrorCodes.CANCEL_NOT_ALLOWED else ErrorCodes.NOT_FOUND
            }
            if (job.stage != ProgressStage.WAITING_FOR_CARD && job.stage != ProgressStage.WAITING_FOR_PAYMENT_CODE) {
                return ErrorCodes.CANCEL_NOT_ALLOWED
            }
        }
        engine.cancelCardWait()
        return ErrorCodes.OK
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

    /** Waits until everything queued so far has run (tests, orderly shutdown). */
    fun awaitIdle(timeoutMs: Long) {
        worker.submit {}.get(timeoutMs, TimeUnit.MILLISECONDS)
    }

    override fun close() {
        starter.shutdown()
        worker.shutdown()
        worker.awaitTermination(5, TimeUnit.SECONDS)
        engine.setProgressListener(null)
        engine.setQrCodeListener(null)
    }

    // ---- worker side -------------------------------------------------------------------------------

    private fun execute(record: TxnRecord, request: TransRequest) {
        listeners.forEach { it.onTransactionStarted(record.scope, record.info.requestId) }
        try {
            executeInner(record, request)
        } finally {
            listeners.forEach { it.onTransactionFinished(record.scope, record.info.requestId) }
        }
    }

    private fun executeInner(record: TxnRecord, request: TransRequest) {
        val result = try {
            results.map(record.info, engine.run(mapper.map(record.scope, request)))
        } catch (e: RequestRejected) {
            results.failed(record.info, e.code, e.message ?: "rejected")
        } catch (e: Throwable) {
            // We cannot tell how far it got: UNKNOWN, and the next query asks the engine's journal.
            results.failed(record.info, ErrorCodes.INTERNAL_ERROR, "internal error: ${e.javaClass.simpleName}")
                .apply { state = TransState.UNKNOWN }
        }
        registry.put(record.copy(result = result))
        synchronized(lock) { running = null }
        listeners.forEach { it.onResult(record.scope, result) }
    }

    private fun refresh(record: TxnRecord): TransResult? {
        val task = worker.submit(Callable {
            val current = registry.find(record.scope, record.info.requestId) ?: record
            if (current.isFinal) return@Callable current.result
            val outcome = engine.lookup(record.engineId)
            val fresh = when {
                outcome != null -> results.fromOutcome(record.info, outcome)
                // accepted, but it never reached the engine's journal (the process died first, or an
                // internal error struck before): nothing was sent
                current.result == null || current.result.errorCode == ErrorCodes.INTERNAL_ERROR -> results.failed(record.info, ErrorCodes.INTERNAL_ERROR,
                    "interrupted before anything was sent: nothing charged")
                else -> current.result
            }
            if (fresh != current.result) registry.put(current.copy(result = fresh))
            fresh
        })
        return try {
            task.get(refreshWaitMs, TimeUnit.MILLISECONDS)
        } catch (e: TimeoutException) {
            null
        }
    }

    private fun onEngineProgress(event: ProgressEvent) {
        listeners.forEach { it.onEngineEvent(event) }
        val job = synchronized(lock) { running }
        val stage = ResultMapper.stageOf(event)
        val text = ResultMapper.describe(event)
        if (job == null || stage == null) {
            listeners.forEach { it.onProgress(SYSTEM_SCOPE, "", stage ?: 0, text) }
            return
        }
        job.stage = stage
        listeners.forEach { it.onProgress(job.record.scope, job.record.info.requestId, stage, text) }
    }

    private fun startResult(id: String?, code: Int, text: String) = StartResult().apply {
        version = UniPos.CONTRACT_VERSION
        requestId = id
        errorCode = code
        message = text
    }

    companion object {
        const val SYSTEM_SCOPE = "system"
    }
}
