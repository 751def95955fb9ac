"""Ledger domain: the accountant's double-entry books, projected from every division's events.

Glossary:
    ongkir     shipping fee charged to the buyer ("ongkos kirim")
    hpp        supplier unit cost of a product ("harga pokok produksi")
    COD        cash on delivery; the courier collects payment at the door and later
               remits it, net of its COD fee
    RTS        returned to sender: the buyer refused or was not found; the parcel
               comes back and no money is collected
"""
