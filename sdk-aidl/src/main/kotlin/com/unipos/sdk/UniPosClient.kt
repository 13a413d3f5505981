package com.unipos.sdk

import android.content.ComponentName
import android.content.Context
import android.content.Intent
import android.content.ServiceConnection
import android.content.SharedPreferences
import android.os.Handler
import android.os.IBinder
import android.os.Looper
import android.os.RemoteException

/**
 * Client of the unified acquiring app's [IUniPosService], with plain Android framework APIs only
 * (no AndroidX), for Android 7 (API 24) and later.
 *
 * What it does for you:
 *  - binds with retry and exponential backoff, re-binds after the service dies, and re-registers its
 *    result callback on every new connection;
 *  - [payOrRecover]: persists the request id locally BEFORE calling; the service answers a repeat of
 *    the same request with its stored outcome (1002/1003, delivered to [Listener.onResult]) and the
 *    id reused for a different request with REQUEST_ID_CONFLICT (1004, nothing started, no old
 *    result handed out): calling it again with the same request after a timeout, a crash or a lost
 *    callback can never charge twice;
 *  - after every (re)connection it queries every request id that has no final result yet (also those
 *    of a previous process of your app that died mid-payment) and delivers the outcome;
 *  - a result timeout turns into queries, never into a retry;
 *  - [Listener.onResult] is called on the main thread once per [payOrRecover] call (and once per
 *    recovered pending id), however many paths (callback, timeout query, reconnection) learn the
 *    outcome, with a final state (APPROVED, DECLINED, FAILED) or NOT_FOUND (the service never
 *    received it: nothing was charged, start it again with the same id).
 *
 * Binder calls made by this class are short (the service answers at once; nothing blocks for a card
 * or the host); [payOrRecover], [query], [queryLast] and [cancel] may be called from any thread.
 */
class UniPosClient @JvmOverloads constructor(
    context: Context,
    private val listener: Listener,
    private val config: Config = Config(),
) {
    class Config @JvmOverloads constructor(
        val servicePackage: String = UniPos.SERVICE_PACKAGE,
        /** First retry delay; doubles per failed bind attempt up to [maxBackoffMs]. */
        val initialBackoffMs: Long = 500,
        val maxBackoffMs: Long = 16_000,
        /** Bind attempts before [Listener.onConnectionFailed]; 0 = retry forever. */
        val maxBindAttempts: Int = 6,
        /** Time after acceptance without a result before the client starts querying. */
        val resultTimeoutMs: Long = 120_000,
        /** Interval of the queries after that, while the state is PENDING or UNKNOWN. */
        val pollIntervalMs: Long = 5_000,
    )

    interface Listener {
        /** Connected; pending request ids are being recovered. */
        fun onConnected() {}
        /** Gave up binding: SERVICE_NOT_INSTALLED, SERVICE_UNAVAILABLE or CALLER_NOT_ALLOWED. */
        fun onConnectionFailed(errorCode: Int) {}
        /** ProgressStage.* of a transaction of this app; RESOLVING while its outcome is UNKNOWN. */
        fun onProgress(requestId: String, stage: Int, message: String?) {}
        /** The final outcome of a request this client started or recovered (once per payOrRecover call). */
        fun onResult(result: TransResult)
    }

    private val appContext: Context = context.applicationContext ?: context
    private val main = Handler(Looper.getMainLooper())
    private val pending = PendingStore(appContext)
    private val timers = HashMap<String, Runnable>()       // main thread only

    @Volatile private var service: IUniPosService? = null
    private var binder: IBinder? = null                     // main thread only
    private var wantConnected = false
    private var bound = false
    private var attempts = 0

    /** True while a live service connection exists. */
    val isConnected: Boolean get() = service != null

    /** Request ids whose final outcome this app has not received yet (persisted across restarts). */
    fun pendingRequestIds(): Set<String> = pending.all()

    // ---- connection ---------------------------------------------------------------------------------

    /** Starts binding (asynchronous; [Listener.onConnected] follows). Idempotent. */
    fun connect() = onMain {
        wantConnected = true
        attempts = 0
        if (!bound) bindNow()
    }

    /** Unbinds. Pending request ids stay persisted and are recovered by the next [connect]. */
    fun disconnect() = onMain {
        wantConnected = false
        main.removeCallbacks(rebind)
        main.removeCallbacks(watchdog)
        for (r in timers.values) main.removeCallbacks(r)
        timers.clear()
        try { service?.unregisterCallback(callback) } catch (e: RemoteException) { } catch (e: RuntimeException) { }
        dropService()
        if (bound) { bound = false; safeUnbind() }
    }

    /** Delay before bind attempt number [attempt] + 1 (attempt >= 1): initial * 2^(attempt-1), capped. */
    fun backoffDelayMs(attempt: Int): Long {
        val shift = (attempt - 1).coerceIn(0, 20)
        return minOf(config.maxBackoffMs, config.initialBackoffMs shl shift)
    }

    private val rebind = Runnable { if (wantConnected && !bound) bindNow() }

    /** After a disconnect, Android normally reconnects by itself; if it has not after a while, re-bind. */
    private val watchdog = Runnable {
        if (wantConnected && service == null) {
            if (bound) { bound = false; safeUnbind() }
            bindNow()
        }
    }

    private fun bindNow() {
        attempts++
        val intent = Intent(UniPos.ACTION_BIND_SERVICE).setPackage(config.servicePackage)
        val ok = try {
            appContext.bindService(intent, connection, Context.BIND_AUTO_CREATE)
        } catch (e: SecurityException) {
            false  // permission com.unipos.permission.PAYMENT not granted
        }
        if (ok) { bound = true; return }
        safeUnbind()  // required even when bindService returned false
        val installed = try { appContext.packageManager.resolveService(intent, 0) != null } catch (e: RuntimeException) { false }
        bindFailed(if (installed) ErrorCodes.SERVICE_UNAVAILABLE else ErrorCodes.SERVICE_NOT_INSTALLED)
    }

    private fun bindFailed(code: Int) {
        if (!wantConnected) return
        if (config.maxBindAttempts > 0 && attempts >= config.maxBindAttempts) {
            wantConnected = false
            listener.onConnectionFailed(code)
            return
        }
        main.removeCallbacks(rebind)
        main.postDelayed(rebind, backoffDelayMs(attempts))
    }

    private fun safeUnbind() {
        try { appContext.unbindService(connection) } catch (e: RuntimeException) { }
    }

    private val death = IBinder.DeathRecipient { main.post { lost() } }

    private fun dropService() {
        try { binder?.unlinkToDeath(death, 0) } catch (e: RuntimeException) { }
        binder = null
        service = null
    }

    private fun lost() {
        if (service == null) return
        dropService()
        if (wantConnected) {
            main.removeCallbacks(watchdog)
            main.postDelayed(watchdog, backoffDelayMs(3))
        }
    }

    private val connection = object : ServiceConnection {
        override fun onServiceConnected(name: ComponentName?, b: IBinder?) {
            if (b == null || !wantConnected) return
            val svc = IUniPosService.Stub.asInterface(b)
            try {
                b.linkToDeath(death, 0)
                binder = b
                service = svc
                svc.registerCallback(callback)
            } catch (e: SecurityException) {
                disconnect()
                listener.onConnectionFailed(ErrorCodes.CALLER_NOT_ALLOWED)
                return
            } catch (e: RemoteException) {
                lost()
                return
            }
            attempts = 0
            main.removeCallbacks(watchdog)
            listener.onConnected()
            recoverPending()
        }

        override fun onServiceDisconnected(name: ComponentName?) = lost()

        /** API 26+ (not an override when compiled against API 24; the framework still calls it). */
        @Suppress("unused")
        fun onBindingDied(name: ComponentName?) {
            dropService()
            if (bound) { bound = false; safeUnbind() }
            if (wantConnected) bindFailed(ErrorCodes.SERVICE_UNAVAILABLE)
        }

        /** API 28+: the service returned no binder for us (not allowed). */
        @Suppress("unused")
        fun onNullBinding(name: ComponentName?) {
            disconnect()
            listener.onConnectionFailed(ErrorCodes.CALLER_NOT_ALLOWED)
        }
    }

    private val callback = object : IUniPosCallback.Stub() {
        override fun onProgress(requestId: String?, stage: Int, message: String?) {
            if (requestId != null) main.post { if (pending.contains(requestId)) listener.onProgress(requestId, stage, message) }
        }

        override fun onResult(result: TransResult?) {
            if (result != null) main.post { handle(result) }
        }
    }

    // ---- calls ----------------------------------------------------------------------------------------

    /**
     * Starts [request], or recovers it if this request id was already sent. The ONE call to use for
     * every money-moving request, first attempt and retry alike (same request id for the same
     * payment attempt). Returns at once:
     *  - OK: started; the outcome comes through [Listener.onResult];
     *  - REQUEST_IN_PROGRESS / REQUEST_ALREADY_DONE: this id was sent before; its outcome comes
     *    through [Listener.onResult] (recovered by query), nothing new was started;
     *  - SERVICE_DIED: the call may or may not have arrived; the client recovers it by query when
     *    the connection is back and then calls [Listener.onResult];
     *  - any other code: rejected before anything started; nothing was charged.
     * The id is committed to SharedPreferences on the calling thread before the call (durable
     * before anything can be charged): under a StrictMode disk-write policy, call it off the main thread.
     */
    fun payOrRecover(request: TransRequest): StartResult {
        val id = request.requestId
        val check = RequestValidator.check(request)
        if (!check.ok) return startResult(id, check.errorCode, check.message)
        val svc = service
            ?: return startResult(id, ErrorCodes.SERVICE_UNAVAILABLE, "not connected: connect() and wait for onConnected")
        val tracked = pending.contains(id)   // an earlier attempt with this id is still being recovered
        pending.add(id)  // persisted before the call: a crash from here on is recovered by query
        return try {
            // The service decides whether the id is new, the same request again (1002/1003: its
            // stored outcome follows) or the id reused for a different request (1004): never
            // answer a changed request with the outcome of the old one.
            val r = svc.startTransaction(request) ?: startResult(id, ErrorCodes.INTERNAL_ERROR, "no answer")
            when (r.errorCode) {
                ErrorCodes.OK, ErrorCodes.REQUEST_IN_PROGRESS -> main.post { watch(id) }
                ErrorCodes.REQUEST_ALREADY_DONE -> main.post { queryAndHandle(id) }
                // rejected (conflict included): nothing started for THIS request
                else -> if (!tracked) pending.remove(id)
            }
            r
        } catch (e: SecurityException) {
            pending.remove(id)
            startResult(id, ErrorCodes.CALLER_NOT_ALLOWED, e.message ?: "caller not allowed")
        } catch (e: RemoteException) {
            main.post { watch(id) }  // unknown whether it arrived: recovered by query after reconnect
            startResult(id, ErrorCodes.SERVICE_DIED, ErrorCodes.describe(ErrorCodes.SERVICE_DIED))
        }
    }

    /**
     * The outcome or state of [requestId] (never throws). A final result for a request this client
     * tracks is also delivered to [Listener.onResult] (once).
     */
    fun query(requestId: String): TransResult {
        val svc = service ?: return UniPosIntents.unknown(requestId, ErrorCodes.SERVICE_UNAVAILABLE)
        return try {
            val r = svc.queryByRequestId(requestId) ?: UniPosIntents.unknown(requestId, ErrorCodes.INTERNAL_ERROR)
            main.post { handle(r) }
            r
        } catch (e: SecurityException) {
            UniPosIntents.unknown(requestId, ErrorCodes.CALLER_NOT_ALLOWED)
        } catch (e: RemoteException) {
            UniPosIntents.unknown(requestId, ErrorCodes.SERVICE_DIED)
        }
    }

    /**
     * This app's newest transaction that carried [orderNo] as its order number (state NOT_FOUND if
     * none; SERVICE_UNAVAILABLE from a service older than contract 2). Never throws.
     */
    fun queryByOrderNo(orderNo: String): TransResult {
        val svc = service ?: return UniPosIntents.unknown(null, ErrorCodes.SERVICE_UNAVAILABLE)
        return try {
            if (svc.contractVersion < 2) return UniPosIntents.unknown(null, ErrorCodes.UNSUPPORTED_TRANSACTION)
            svc.queryByOrderNo(orderNo) ?: UniPosIntents.unknown(null, ErrorCodes.INTERNAL_ERROR)
        } catch (e: SecurityException) {
            UniPosIntents.unknown(null, ErrorCodes.CALLER_NOT_ALLOWED)
        } catch (e: RemoteException) {
            UniPosIntents.unknown(null, ErrorCodes.SERVICE_DIED)
        }
    }

    /** This app's most recent transaction (state NOT_FOUND if none). */
    fun queryLast(): TransResult {
        val svc = service ?: return UniPosIntents.unknown(null, ErrorCodes.SERVICE_UNAVAILABLE)
        return try {
            svc.queryLast() ?: UniPosIntents.unknown(null, ErrorCodes.INTERNAL_ERROR)
        } catch (e: SecurityException) {
            UniPosIntents.unknown(null, ErrorCodes.CALLER_NOT_ALLOWED)
        } catch (e: RemoteException) {
            UniPosIntents.unknown(null, ErrorCodes.SERVICE_DIED)
        }
    }

    /** Cancels while the terminal waits for a card / code: OK, CANCEL_NOT_ALLOWED, NOT_FOUND, or a 6xxx code. */
    fun cancel(requestId: String): Int {
        val svc = service ?: return ErrorCodes.SERVICE_UNAVAILABLE
        return try { svc.cancel(requestId) } catch (e: SecurityException) { ErrorCodes.CALLER_NOT_ALLOWED } catch (e: RemoteException) { ErrorCodes.SERVICE_DIED }
    }

    // ---- recovery -------------------------------------------------------------------------------------

    /** Queries every pending request id (runs by itself after each connection). Main thread. */
    fun recoverPending() = onMain {
        for (id in pending.all()) {
            queryAndHandle(id)
            if (pending.contains(id)) watch(id, config.pollIntervalMs)
        }
    }

    private fun queryAndHandle(id: String) {
        val svc = service ?: return  // recovered on the next connection
        val r = try { svc.queryByRequestId(id) } catch (e: RemoteException) { null } catch (e: SecurityException) { null }
        if (r != null) handle(r)
    }

    /** Main thread: delivers a final result once; keeps polling a PENDING / UNKNOWN one. */
    private fun handle(r: TransResult) {
        val id = r.requestId ?: return
        if (!pending.contains(id)) return
        if (TransState.isFinal(r.state) || r.state == TransState.NOT_FOUND) {
            pending.remove(id)
            timers.remove(id)?.let { main.removeCallbacks(it) }
            listener.onResult(r)
        } else if (r.state == TransState.UNKNOWN) {
            listener.onProgress(id, ProgressStage.RESOLVING, r.message)
        }
    }

    /** Main thread: (re)arms the result timer of [id]; when it fires, query, and poll while not final. */
    private fun watch(id: String, delayMs: Long = config.resultTimeoutMs) {
        if (!pending.contains(id)) return
        timers.remove(id)?.let { main.removeCallbacks(it) }
        val timer = Runnable {
            timers.remove(id)
            queryAndHandle(id)
            if (pending.contains(id)) watch(id, config.pollIntervalMs)
        }
        timers[id] = timer
        main.postDelayed(timer, delayMs)
    }

    private fun onMain(block: () -> Unit) {
        if (Looper.myLooper() == main.looper) block() else main.post(block)
    }

    private fun startResult(id: String?, code: Int, message: String) = StartResult().apply {
        requestId = id; errorCode = code; this.message = message
    }

    /** Request ids sent but without a final outcome yet, in SharedPreferences (written synchronously). */
    private class PendingStore(context: Context) {
        private val prefs: SharedPreferences = context.getSharedPreferences("com.unipos.sdk.pending", Context.MODE_PRIVATE)
        fun add(id: String) { prefs.edit().putLong(id, System.currentTimeMillis()).commit() }
        fun remove(id: String) { prefs.edit().remove(id).commit() }
        fun contains(id: String): Boolean = prefs.contains(id)
        fun all(): Set<String> = prefs.all.keys.toSortedSet()
    }
}
