using System;

namespace RuleGallery.Locking;

// AP3001: the guides' deadlock. Two paths take the same two locks in opposite orders.
public sealed class Bank
{
    private readonly object _accounts = new();
    private readonly object _audit = new();
    private decimal _balance;

    // Pitfall: Deposit takes _accounts then _audit; Reconcile takes _audit then _accounts.
    // Run together, each holds one lock and waits for the other forever.
    public void Deposit(decimal amount)
    {
        lock (_accounts)
        {
            _balance += amount;
            lock (_audit) // AP3001
            {
                Console.WriteLine($"deposit {amount}");
            }
        }
    }

    public void Reconcile()
    {
        lock (_audit)
        {
            Console.WriteLine("reconciling");
            lock (_accounts) // AP3001
            {
                Console.WriteLine($"balance {_balance}");
            }
        }
    }
}

// Correct twin: one global order (_accounts before _audit), also through calls.
public sealed class OrderedBank
{
    private readonly object _accounts = new();
    private readonly object _audit = new();
    private decimal _balance;

    public void Deposit(decimal amount)
    {
        lock (_accounts)
        {
            _balance += amount;
            WriteAudit($"deposit {amount}");
        }
    }

    public void Reconcile()
    {
        lock (_accounts)
        {
            WriteAudit($"balance {_balance}");
        }
    }

    private void WriteAudit(string line)
    {
        lock (_audit)
        {
            Console.WriteLine(line);
        }
    }
}
