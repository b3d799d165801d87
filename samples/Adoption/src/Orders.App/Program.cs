using Orders.Core;

var orders = new OrderService();
orders.Ship(1);
Console.WriteLine(await orders.WaitForShipmentAsync(1, CancellationToken.None));
Thread.Sleep(100); // AsyncPitfalls reports AP1002 here: top-level statements with await are async code
