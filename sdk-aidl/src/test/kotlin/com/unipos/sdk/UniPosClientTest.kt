package com.unipos.sdk

import android.app.Application
import android.content.ComponentName
import android.os.IBinder
import android.os.Looper
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import java.time.Duration

/**
 * UniPosClient against the fake service over real Binder/Parcel marshalling (RemoteLikeBinder),
 * with Robolectric's real bindService plumbing, Looper and SharedPreferences.
 */
@RunWith(RobolectricTestRunner::class)
class UniPosClientTest {
    private lateinit var app: Application
    private lateinit var fake: FakeUniPosService
    private lateinit var remote: RemoteLikeBinder
    private val component = ComponentName(UniPos.SERVICE_PACKAGE, "com.unipos.app.PaymentService")

    class Recorder : UniPosClient.Listener {
        var connected = 0
        val failures = ArrayList<Int>()
        val results = ArrayList<TransResult>()
        val progress = ArrayList<Pair<String, Int>>()
        override fun onConnected() { connected++ }
        override fun onConnectionFailed(errorCode: Int) { failures += errorCode }
        override fun onProgress(requestId: String, stage: Int, message: String?) { progress += requestId to stage }
        override fun onResult(result: TransResult) { results += result }
    }

    private val config = UniPosClient.Config(initialBackoffMs = 100, maxBackoffMs = 1_000, maxBindAttempts = 4,
        resultTimeoutMs = 10_000, pollIntervalMs = 1_000)

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication()
        fake = FakeUniPosService()
        remote = RemoteLikeBinder(fake)
        shadowOf(app).setComponentNameAndServiceForBindService(component, remote)
    }

    private fun idle() = shadowOf(Looper.getMainLooper()).idle()
    private fun idleFor(ms: Long) = shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(ms))

    private fun connected(listener: Recorder = Recorder()): Pair<UniPosClient, Recorder> {
        val c = UniPosClient(app, listener, config)
        c.connect()
        idle()
        assertTrue(c.isConnected)
        return c to listener
    }

    @Test fun payDeliversTheResultOnceAndARepeatNeverChargesTwice() {
        val (client, rec) = connected()
        assertEquals(1, rec.connected)
        assertEquals(1, fake.callbacks.registeredCallbackCount)

        val req = Requests.sale("order-1-try-1", 1250, orderNo = "order-1")
        assertEquals(ErrorCodes.OK, client.payOrRecover(req).errorCode)
        assertEquals(setOf("order-1-try-1"), client.pendingRequestIds())
        fake.progress("order-1-try-1", ProgressStage.WAITING_FOR_CARD)
        fake.complete("order-1-try-1")
        idle()
        assertEquals(listOf("order-1-try-1" to ProgressStage.WAITING_FOR_CARD), rec.progress)
        assertEquals(TransState.APPROVED, rec.results.single().state)
        assertEquals("622202******1234", rec.results.single().maskedPan)
        assertTrue(client.pendingRequestIds().isEmpty())

        // The caller retries the same request (e.g. it crashed before saving the outcome): query-first,
        // nothing new starts, and the stored outcome is delivered again, once.
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, client.payOrRecover(req).errorCode)
        idleFor(60_000)
        assertEquals(1, fake.starts)
        assertEquals(2, rec.results.size)
        assertEquals(rec.results[0].referenceNo, rec.results[1].referenceNo)
        assertEquals(TransState.APPROVED, client.query("order-1-try-1").state)
        assertEquals("order-1-try-1", client.queryLast().requestId)
    }

    @Test fun aReusedIdForADifferentRequestIsAConflictNeverTheOldResult() {
        val (client, rec) = connected()
        val first = Requests.sale("order-2-try-1", 1250)
        assertEquals(ErrorCodes.OK, client.payOrRecover(first).errorCode)
        fake.complete("order-2-try-1")
        idle()
        assertEquals(1, rec.results.size)
        // Same id, different amount: the old APPROVED result must not come back as this request's.
        val changed = Requests.sale("order-2-try-1", 9_999)
        assertEquals(ErrorCodes.REQUEST_ID_CONFLICT, client.payOrRecover(changed).errorCode)
        idleFor(60_000)
        assertEquals("no old result handed out for the changed request", 1, rec.results.size)
        assertEquals(1, fake.starts)
        assertTrue(client.pendingRequestIds().isEmpty())
    }

    @Test fun aClientThatDiedMidPaymentLearnsTheOutcomeAfterRestart() {
        val (first, _) = connected()
        assertEquals(ErrorCodes.OK, first.payOrRecover(Requests.sale("r-crash", 800)).errorCode)
        first.disconnect()   // the app process dies: its callback is gone
        idle()
        fake.complete("r-crash")   // the terminal finishes the payment meanwhile

        // The app restarts: a new client (same app, same persisted pending ids) connects.
        val rec = Recorder()
        val (second, _) = connected(rec)
        assertEquals(TransState.APPROVED, rec.results.single().state)
        assertEquals("r-crash", rec.results.single().requestId)
        assertTrue(second.pendingRequestIds().isEmpty())
        assertEquals(1, fake.starts)
    }

    @Test fun aMissingResultTurnsIntoQueriesNeverIntoARetry() {
        val (client, rec) = connected()
        assertEquals(ErrorCodes.OK, client.payOrRecover(Requests.sale("r-slow", 500)).errorCode)
        val queriesBefore = fake.queries
        idleFor(9_000)
        assertEquals(queriesBefore, fake.queries)           // before the result timeout: just wait
        idleFor(1_000)
        assertEquals(queriesBefore + 1, fake.queries)       // timeout: query (still PENDING)
        fake.complete("r-slow", notify = false) { state = TransState.UNKNOWN; errorCode = ErrorCodes.RESULT_UNKNOWN }
        idleFor(1_000)
        assertEquals("r-slow" to ProgressStage.RESOLVING, rec.progress.last())
        assertTrue(rec.results.isEmpty())
        fake.complete("r-slow", notify = false) { state = TransState.FAILED; errorCode = ErrorCodes.NO_ANSWER_REVERSED }
        idleFor(1_000)
        assertEquals(ErrorCodes.NO_ANSWER_REVERSED, rec.results.single().errorCode)
        val q = fake.queries
        idleFor(30_000)
        assertEquals("polling stops after the final result", q, fake.queries)
        assertEquals(1, fake.starts)
    }

    @Test fun serviceDeathAfterTheCallArrivedIsRecoveredByQuery() {
        val (client, rec) = connected()
        remote.dieAfterCode = IUniPosService.Stub.TRANSACTION_startTransaction
        val r = client.payOrRecover(Requests.sale("r-dead", 300))
        assertEquals(ErrorCodes.SERVICE_DIED, r.errorCode)
        assertTrue(ErrorCodes.isOutcomeUnknown(r.errorCode))
        assertEquals(1, fake.starts)                        // it did arrive
        assertEquals(setOf("r-dead"), client.pendingRequestIds())

        // The OS reports the death, then the restarted service reconnects.
        val conn = shadowOf(app).boundServiceConnections.single()
        conn.onServiceDisconnected(component)
        assertFalse(client.isConnected)
        conn.onServiceConnected(component, remote as IBinder)
        idle()
        assertEquals(2, rec.connected)
        fake.complete("r-dead")
        idle()
        assertEquals(TransState.APPROVED, rec.results.single().state)

        // The caller, told SERVICE_DIED, retries with the SAME id: no second charge.
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, client.payOrRecover(Requests.sale("r-dead", 300)).errorCode)
        idle()
        assertEquals(1, fake.starts)
        assertEquals(2, rec.results.size)
        assertEquals(TransState.APPROVED, rec.results[1].state)
        idleFor(60_000)
        assertEquals("no further deliveries or polls", 2, rec.results.size)
    }

    @Test fun bindRetriesWithBackoffThenGivesUp() {
        shadowOf(app).declareActionUnbindable(UniPos.ACTION_BIND_SERVICE)
        val rec = Recorder()
        val client = UniPosClient(app, rec, config)
        assertEquals(listOf(100L, 200L, 400L, 800L, 1_000L), (1..5).map { client.backoffDelayMs(it) })
        client.connect()          // attempt 1 at t=0, then t=100, t=300, t=700
        idleFor(699)
        assertTrue(rec.failures.isEmpty())
        idleFor(1)
        assertEquals(listOf(ErrorCodes.SERVICE_NOT_INSTALLED), rec.failures)
        assertFalse(client.isConnected)
        assertEquals(ErrorCodes.SERVICE_UNAVAILABLE, client.payOrRecover(Requests.sale("x", 1)).errorCode)
    }

    @Test fun aCallerNotOnTheAllowListGetsAClearCode() {
        fake.rejectWith = ErrorCodes.CALLER_NOT_ALLOWED
        val (client, rec) = connected()
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, client.payOrRecover(Requests.sale("r-x", 100)).errorCode)
        assertTrue(client.pendingRequestIds().isEmpty())
        assertTrue(rec.results.isEmpty())

        val fake2 = FakeUniPosService().apply { throwSecurityOnRegister = true }
        shadowOf(app).setComponentNameAndServiceForBindService(component, RemoteLikeBinder(fake2))
        val rec2 = Recorder()
        UniPosClient(app, rec2, config).connect()
        idle()
        assertEquals(listOf(ErrorCodes.CALLER_NOT_ALLOWED), rec2.failures)
    }

    @Test fun invalidRequestsNeverReachTheService() {
        val (client, _) = connected()
        val before = remote.transactions
        assertEquals(ErrorCodes.INVALID_AMOUNT, client.payOrRecover(Requests.sale("r-0", 0)).errorCode)
        assertEquals(ErrorCodes.INVALID_REQUEST, client.payOrRecover(Requests.sale("bad id", 1)).errorCode)
        assertEquals(before, remote.transactions)
        assertTrue(client.pendingRequestIds().isEmpty())
    }

    @Test fun cancelOnlyWhileWaiting() {
        val (client, _) = connected()
        client.payOrRecover(Requests.sale("r-c", 100))
        assertEquals(ErrorCodes.OK, client.cancel("r-c"))
        fake.complete("r-c")
        assertEquals(ErrorCodes.CANCEL_NOT_ALLOWED, client.cancel("r-c"))
        assertEquals(ErrorCodes.NOT_FOUND, client.cancel("nope"))
    }
}
