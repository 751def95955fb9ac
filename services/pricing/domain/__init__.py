"""Pricing domain (the finance division): a price that pays for everything, and KPI targets.

Glossary:
    HPP        harga pokok produksi: the supplier's unit cost, from research
    COD        cash on delivery; the courier collects at the door and charges a fee
    RTS        return to sender: a COD parcel the buyer refused, shipped back at our cost
    CS         customer service agents closing orders in chat, paid a commission per order
    CPL / CPA  ad cost per lead (chat started) / per acquisition (order placed)
    ROAS       return on ad spend: revenue divided by ad spend
"""
