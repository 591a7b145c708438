# GENERATED from ccxt_paradex/async_support/paradex_trading.py by tools/gen_sync.py -- do not edit by hand.
"""Order entry and order queries (mixin of the paradex class)."""
from ccxt.base.errors import ArgumentsRequired, InvalidOrder, OrderNotFound

from .core.orders import build_order, sign_order


class ParadexTrading:
    def _signed_order(self, symbol, type, side, amount, price=None, params={}):
        market = self.market(symbol)
        request = build_order(self, market, type, side, amount, price, params)
        signer = self.stark_signer()
        return sign_order(signer, request, self.now_ms()), market

    def create_order(self, symbol, type, side, amount, price=None, params={}):
        self.load_markets()
        request, market = self._signed_order(symbol, type, side, amount, price, params)
        response = self.privatePostOrders(request)
        return self.parse_order(response, market)

    def _signed_orders(self, orders, params={}):
        """Every order of a batch validated and signed before anything is sent (REST and WebSocket)."""
        signed = []
        for o in orders:
            request, _ = self._signed_order(o["symbol"], o["type"], o["side"], self.safe_value(o, "amount"),
                                                  self.safe_value(o, "price"), self.extend(params, self.safe_dict(o, "params", {})))
            signed.append(request)
        return signed

    def create_orders(self, orders, params={}):
        """All orders are validated and signed before the first request; batches of options['batchSize']."""
        self.load_markets()
        signed = self._signed_orders(orders, params)
        size = self.safe_integer(self.options, "batchSize", 10)
        result = []
        for i in range(0, len(signed), size):
            response = self.privatePostOrdersBatch({"__body": signed[i:i + size]})
            result += [self.parse_order(o) for o in self.safe_list(response, "orders", [])]
            result += [self.safe_order({"info": e, "status": "rejected"}) for e in self.safe_list(response, "errors", [])]
        return result

    def _signed_modify(self, id, market, type, side, amount, price, params, current):
        """A signed ModifyOrder request; what the caller leaves out comes from ``current`` (the live order)."""
        type = type or self.safe_string(current, "type")
        side = side or self.safe_string(current, "side")
        amount = amount if amount is not None else self.safe_string(current, "size")
        if price is None and "MARKET" not in str(type).upper():
            price = self.safe_string(current, "price")
        trigger = self.safe_string_2(params, "triggerPrice", "stopPrice")
        rest = self.omit(params, ["triggerPrice", "stopPrice"])
        if str(type).upper() not in ("LIMIT", "MARKET"):  # a conditional order keeps its trigger unless given one
            trigger = trigger if trigger is not None else self.safe_string(current, "trigger_price")
            rest["triggerPrice"] = trigger
        request = build_order(self, market, type, side, amount, price, rest)
        for key in ("instruction", "flags", "client_id", "stp"):
            request.pop(key, None)
        if trigger is not None:
            request["trigger_price"] = self.price_to_precision(market["symbol"], trigger)
        request["id"] = str(id)
        signer = self.stark_signer()
        sign_order(signer, request, self.now_ms(), modify_id=str(id))
        return request

    def edit_order(self, id, symbol, type=None, side=None, amount=None, price=None, params={}):
        """Amount or price alone is enough: the rest comes from the live order (flags and instruction are kept)."""
        self.load_markets()
        market = self.market(symbol)
        current = self.privateGetOrdersOrderId({"order_id": id})
        request = self._signed_modify(id, market, type, side, amount, price, params, current)
        request["order_id"] = str(id)
        response = self.privatePutOrdersOrderId(request)
        return self.parse_order(response, market)

    def _client_order_id(self, params):
        """-> (params['clientOrderId'] or None, params without it)."""
        return (self.safe_string_2(params, "clientOrderId", "client_order_id"),
                self.omit(params, ["clientOrderId", "client_order_id"]))

    def _cancel_target(self, id, symbol, params):
        """-> (client order id, {client_id[, market]} request) for a cancel by client id, (None, None) for one by
        id, and the remaining params; raises without an id of either kind."""
        client_id, params = self._client_order_id(params)
        if client_id is None:
            if id is None:
                raise ArgumentsRequired(self.id + " cancelOrder() requires an id or params['clientOrderId']")
            return None, None, params
        request = {"client_id": client_id}
        if symbol is not None:
            self.load_markets()
            request["market"] = self.market_id(symbol)
        return client_id, request, params

    def _canceled_order(self, id, client_id, symbol, info):
        return self.safe_order({"id": id, "clientOrderId": client_id, "symbol": symbol, "info": info})

    def _parse_cancel_results(self, response):
        out = []
        for r in self.safe_list(response, "results", []):
            status = self.safe_string(r, "status")
            market = self.safe_market(self.safe_string(r, "market"))
            out.append(self.safe_order({"id": self.safe_string(r, "id"), "clientOrderId": self.safe_string(r, "client_id"),
                                        "symbol": market["symbol"] if self.safe_string(r, "market") else None,
                                        "status": {"ALREADY_CLOSED": "closed"}.get(status), "info": r}))
        return out

    def _cancel_batch_body(self, ids, params):
        client_ids = self.safe_list(params, "clientOrderIds")
        body = {"order_ids": [str(i) for i in ids or []]}
        if client_ids:
            body["client_order_ids"] = client_ids
        return body

    def _cancel_all_request(self, symbol, params):
        request = {}
        if symbol is not None:
            self.load_markets()
            request["market"] = self.market_id(symbol)
        return self.extend(request, params)

    def cancel_order(self, id, symbol=None, params={}):
        client_id, request, params = self._cancel_target(id, symbol, params)
        if request is not None:
            self.privateDeleteOrdersByClientIdClientId(self.extend(request, params))
        else:
            self.privateDeleteOrdersOrderId(self.extend({"order_id": str(id)}, params))
        # 204: queued for cancellation; the final state arrives on the orders channel
        return self._canceled_order(id, client_id, symbol, {"status": "QUEUED_FOR_CANCELLATION"})

    def cancel_orders(self, ids, symbol=None, params={}):
        response = self.privateDeleteOrdersBatch({"__body": self._cancel_batch_body(ids, params)})
        return self._parse_cancel_results(response)

    def cancel_all_orders(self, symbol=None, params={}):
        response = self.privateDeleteOrders(self._cancel_all_request(symbol, params))
        return [self.safe_order({"info": response})]

    def fetch_order(self, id, symbol=None, params={}):
        """Open orders come from /orders/{id}; closed ones are looked up in /orders-history."""
        self.load_markets()
        client_id, params = self._client_order_id(params)
        try:
            if client_id is not None:
                response = self.privateGetOrdersByClientIdClientId(self.extend({"client_id": client_id}, params))
            else:
                response = self.privateGetOrdersOrderId(self.extend({"order_id": str(id)}, params))
            return self.parse_order(response)
        except (OrderNotFound, InvalidOrder):
            pass
        request = {"client_id": client_id} if client_id is not None else {}
        if symbol is not None:
            request["market"] = self.market_id(symbol)

        def match(row):
            return (client_id is not None and row.get("client_id") == client_id) or row.get("id") == str(id)
        # the whole history, newest first, until the order is found (bounded: options['historyMaxRequests'])
        for row in self._walk("fetchOrder", self.privateGetOrdersHistory, request, None, 1, True, keep=match):
            return self.parse_order(row)
        raise OrderNotFound(self.id + " order " + str(id if client_id is None else client_id) + " not found")

    def fetch_open_orders(self, symbol=None, since=None, limit=None, params={}):
        self.load_markets()
        request = {}
        market = None
        if symbol is not None:
            market = self.market(symbol)
            request["market"] = market["id"]
        response = self.privateGetOrders(self.extend(request, params))
        return self.parse_orders(self.safe_list(response, "results", []), market, since, limit)

    def fetch_orders(self, symbol=None, since=None, limit=None, params={}):
        rows, market = self._history("fetchOrders", self.privateGetOrdersHistory, symbol, since, limit, params)
        return self.parse_orders(rows, market, since, limit)

    def fetch_closed_orders(self, symbol=None, since=None, limit=None, params={}):
        return self._ended_orders("closed", symbol, since, limit, params)

    def fetch_canceled_orders(self, symbol=None, since=None, limit=None, params={}):
        return self._ended_orders("canceled", symbol, since, limit, params)

    def _ended_orders(self, status, symbol, since, limit, params):
        """Paradex's CLOSED covers both filled and canceled orders: ccxt's ``status`` tells them apart (while
        walking, so ``limit`` counts orders of that status)."""
        def keep(row):
            return self.parse_order_status(self.safe_string(row, "status"), self.safe_string(row, "cancel_reason")) == status
        method = "fetchClosedOrders" if status == "closed" else "fetchCanceledOrders"
        rows, market = self._history(method, self.privateGetOrdersHistory, symbol, since, limit,
                                           self.extend({"status": "CLOSED"}, params), None, keep)
        return self.parse_orders(rows, market, since, limit)
