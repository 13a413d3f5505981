package com.unipos.sdk

import android.os.Parcel
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner

/** The AIDL parcelables through a real android.os.Parcel, including old/new contract versions. */
@RunWith(RobolectricTestRunner::class)
class ParcelTest {
    private fun <T> roundTrip(write: (Parcel) -> Unit, read: (Parcel) -> T): T {
        val p = Parcel.obtain()
        try {
            write(p)
            p.setDataPosition(0)
            return read(p)
        } finally {
            p.recycle()
        }
    }

    private fun fullRequest() = Requests.refund("req-1", 1250, origReferenceNo = "123456789012", origDate = "1121",
        printMode = PrintMode.BOTH).apply { orderNo = "A-1001"; receiptRemark = "table 7"; cardWaitSeconds = 60 }

    @Test fun requestRoundTrip() {
        val r = roundTrip({ fullRequest().writeToParcel(it, 0) }, { TransRequest.CREATOR.createFromParcel(it) })
        assertEquals(UniPos.CONTRACT_VERSION, r.version)
        assertEquals("req-1", r.requestId)
        assertEquals(TransType.REFUND, r.transType)
        assertEquals(1250L, r.amount)
        assertEquals("123456789012", r.origReferenceNo)
        assertEquals("1121", r.origDate)
        assertEquals(PrintMode.BOTH, r.printMode)
        assertEquals("table 7", r.receiptRemark)
        assertEquals(60, r.cardWaitSeconds)
        assertNull(r.origTraceNo)
    }

    @Test fun resultRoundTripKeepsEveryField() {
        val src = TransResult().apply {
            requestId = "r"; transType = TransType.SALE; state = TransState.APPROVED; errorCode = 0; message = "ok"
            responseCode = "00"; amount = 1000; approvedAmount = 800; channel = Channel.WECHAT; traceNo = "000001"
            referenceNo = "000000000001"; authCode = "123456"; batchNo = "000002"; maskedPan = "622202******1234"
            qrOrderNo = "Q1"; channelTradeNo = "W1"; orderNo = "O1"; merchantId = "898"; terminalId = "T1"
            transTime = "20261121120000"; balance = 5; settleCount = 3; settleAmount = 300; settleBalanced = true
            printErrorCode = ErrorCodes.PRINTER_OUT_OF_PAPER
        }
        val r = roundTrip({ src.writeToParcel(it, 0) }, { TransResult.CREATOR.createFromParcel(it) })
        for (f in TransResult::class.java.fields.filter { !java.lang.reflect.Modifier.isStatic(it.modifiers) }) {
            assertEquals(f.name, f.get(src), f.get(r))
        }
        assertEquals(-1L, TransResult().balance)  // default from the .aidl
    }

    /** An app built against an OLDER contract sent fewer fields: the new fields keep their defaults. */
    @Test fun olderWriterNewerReader() {
        val r = roundTrip({ p ->
            val start = p.dataPosition()
            p.writeInt(0)             // size, patched below (what the generated code does)
            p.writeInt(1)             // version
            p.writeString("old-1")    // requestId
            p.writeInt(TransType.SALE)
            val end = p.dataPosition()
            p.setDataPosition(start); p.writeInt(end - start); p.setDataPosition(end)
            p.writeString("after")    // whatever follows the parcelable must still be readable
        }, { p -> TransRequest.CREATOR.createFromParcel(p) to p.readString() })
        assertEquals("old-1", r.first.requestId)
        assertEquals(TransType.SALE, r.first.transType)
        assertEquals(0L, r.first.amount)
        assertEquals(PrintMode.AUTO, r.first.printMode)
        assertEquals("after", r.second)
    }

    /** An app built against a NEWER contract sent extra trailing fields: they are skipped. */
    @Test fun newerWriterOlderReader() {
        val r = roundTrip({ p ->
            val start = p.dataPosition()
            StartResult().apply { requestId = "new-1"; errorCode = ErrorCodes.OK; message = "m" }.writeToParcel(p, 0)
            val end = p.dataPosition()
            p.writeLong(42L); p.writeString("a field from contract v2")  // appended by a newer writer
            val newEnd = p.dataPosition()
            p.setDataPosition(start); p.writeInt(newEnd - start); p.setDataPosition(newEnd)
            assertTrue(newEnd > end)
            p.writeInt(7)
        }, { p -> StartResult.CREATOR.createFromParcel(p) to p.readInt() })
        assertEquals("new-1", r.first.requestId)
        assertEquals("m", r.first.message)
        assertEquals(7, r.second)
    }

    /** The generated Proxy and Stub, every method, through real Parcels (no local shortcut). */
    @Test fun serviceProxyAndStubThroughParcels() {
        val fake = FakeUniPosService()
        val remote = RemoteLikeBinder(fake)
        val svc = IUniPosService.Stub.asInterface(remote)
        assertTrue("must be the generated Proxy", svc !is FakeUniPosService)

        assertEquals(UniPos.CONTRACT_VERSION, svc.contractVersion)
        val started = svc.startTransaction(Requests.sale("p-1", 999, PayMethod.QR_SCAN, orderNo = "O-9"))
        assertEquals(ErrorCodes.OK, started.errorCode)
        assertEquals("p-1", started.requestId)
        assertEquals(PayMethod.QR_SCAN, fake.requests.getValue("p-1").payMethod)
        assertEquals(TransState.PENDING, svc.queryByRequestId("p-1").state)
        assertEquals(ErrorCodes.REQUEST_IN_PROGRESS, svc.startTransaction(Requests.sale("p-1", 999)).errorCode)
        assertEquals(ErrorCodes.OK, svc.cancel("p-1"))

        val received = ArrayList<TransResult>()
        val progress = ArrayList<Int>()
        val cb = object : IUniPosCallback.Stub() {
            override fun onProgress(requestId: String?, stage: Int, message: String?) { progress += stage }
            override fun onResult(result: TransResult?) { received += result!! }
        }
        svc.registerCallback(cb)
        assertEquals(1, fake.callbacks.registeredCallbackCount)
        fake.progress("p-1", ProgressStage.WAITING_FOR_PAYMENT_CODE)
        fake.complete("p-1")
        assertEquals(listOf(ProgressStage.WAITING_FOR_PAYMENT_CODE), progress)
        assertEquals(TransState.APPROVED, received.single().state)

        val q = svc.queryByRequestId("p-1")
        assertEquals(TransState.APPROVED, q.state)
        assertEquals("622202******1234", q.maskedPan)
        assertEquals("O-9", q.orderNo)
        assertEquals("p-1", svc.queryLast().requestId)
        assertEquals(ErrorCodes.CANCEL_NOT_ALLOWED, svc.cancel("p-1"))
        assertEquals(TransState.NOT_FOUND, svc.queryByRequestId("nope").state)
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, svc.startTransaction(Requests.sale("p-1", 999)).errorCode)
        assertEquals(ErrorCodes.INVALID_AMOUNT, svc.startTransaction(Requests.sale("p-2", 0)).errorCode)
        svc.unregisterCallback(cb)
        assertEquals(0, fake.callbacks.registeredCallbackCount)
        assertEquals(1, fake.starts)
        assertEquals("one binder transaction per call", 13, remote.transactions)
    }
}
