package com.unipos.sdk

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner

@RunWith(RobolectricTestRunner::class)
class RequestValidatorTest {
    private fun code(r: TransRequest) = RequestValidator.check(r).errorCode

    @Test fun everyBuilderProducesAValidRequest() {
        val id = "id-1"
        val all = listOf(
            Requests.sale(id, 1), Requests.sale(id, 1, PayMethod.QR_SHOW),
            Requests.voidSale(id, origTraceNo = "000001"), Requests.voidSale(id, origRequestId = "prev"),
            Requests.refund(id, 100, origReferenceNo = "123456789012", origDate = "0101"),
            Requests.refund(id, 100, origQrOrderNo = "Q123"), Requests.refund(id, 100, origRequestId = "prev"),
            Requests.preAuth(id, 100), Requests.preAuthVoid(id, origAuthCode = "123456", origDate = "1231"),
            Requests.preAuthCompletion(id, 115, origAuthCode = "AB12", origDate = "0229"),
            Requests.preAuthCompletionVoid(id, origTraceNo = "000009"),
            Requests.balanceInquiry(id), Requests.settlement(id), Requests.signIn(id), Requests.reprint(id),
        )
        for (r in all) assertEquals(TransType.name(r.transType), ErrorCodes.OK, code(r))
        assertEquals(11, all.map { it.transType }.toSet().size)
    }

    @Test fun requestIdIsRequiredAndBounded() {
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.sale("", 1)))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(TransRequest().apply { transType = TransType.SALE; amount = 1 }))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.sale("a".repeat(65), 1)))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.sale("has space", 1)))
        assertEquals(ErrorCodes.OK, code(Requests.sale("a".repeat(64), 1)))
        assertEquals(ErrorCodes.OK, code(Requests.sale(Requests.newRequestId(), 1)))
    }

    @Test fun amountsAreFenAndChecked() {
        assertEquals(ErrorCodes.INVALID_AMOUNT, code(Requests.sale("a", 0)))
        assertEquals(ErrorCodes.INVALID_AMOUNT, code(Requests.sale("a", -5)))
        assertEquals(ErrorCodes.INVALID_AMOUNT, code(Requests.sale("a", RequestValidator.MAX_AMOUNT + 1)))
        assertEquals(ErrorCodes.OK, code(Requests.sale("a", RequestValidator.MAX_AMOUNT)))
        assertEquals(ErrorCodes.INVALID_AMOUNT, code(Requests.refund("a", 0, origRequestId = "b")))
        assertEquals(ErrorCodes.OK, code(Requests.settlement("a")))  // no amount needed
    }

    @Test fun originalsAreRequiredWhereTheDomainNeedsThem() {
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.voidSale("a")))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.voidSale("a", origTraceNo = "12345")))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.refund("a", 1, origReferenceNo = "123456789012")))  // no date
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.refund("a", 1, origReferenceNo = "123456789012", origDate = "1340")))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.preAuthCompletion("a", 1, origAuthCode = "123456")))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.preAuthCompletionVoid("a")))
    }

    @Test fun unknownEnumsAndBadOptionalFields() {
        assertEquals(ErrorCodes.INVALID_REQUEST, code(TransRequest().apply { requestId = "a" }))  // transType 0
        assertEquals(ErrorCodes.UNSUPPORTED_TRANSACTION, code(TransRequest().apply { requestId = "a"; transType = 99 }))
        assertEquals(ErrorCodes.UNSUPPORTED_TRANSACTION, code(Requests.sale("a", 1, payMethod = 9)))
        assertEquals(ErrorCodes.UNSUPPORTED_TRANSACTION, code(Requests.preAuth("a", 1).apply { payMethod = PayMethod.QR_SCAN }))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.sale("a", 1, printMode = 9)))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.sale("a", 1).apply { receiptRemark = "two\nlines" }))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.sale("a", 1).apply { cardWaitSeconds = 5 }))
        assertEquals(ErrorCodes.INVALID_REQUEST, code(Requests.sale("a", 1, orderNo = "has space")))
    }

    @Test fun panMasking() {
        assertEquals("622202******1234", PanMask.mask("6222020000001234"))
        assertEquals("622202*********1234", PanMask.mask("6222020000000001234"))
        assertEquals("", PanMask.mask("1234"))                 // too short to be a PAN: not echoed
        assertEquals("", PanMask.mask("6222 0200 0000 1234"))  // unexpected format: not echoed
        assertEquals("622202******1234", PanMask.mask("622202******1234"))
        assertEquals("", PanMask.mask(null))
        assertTrue(PanMask.isMasked(""))
        assertTrue(!PanMask.isMasked("6222020000001234"))
    }
}
